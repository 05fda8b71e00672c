package org.diffusiondepot.sampler.cli;

import java.util.List;
import org.diffusiondepot.sampler.SamplingException;
import org.diffusiondepot.task.ClassConditionalTask;
import org.diffusiondepot.task.DiffusionTask;

/** The {@code --class} option: a class name, an index, or "all" (one row per class). */
record ClassChoice(int index, boolean all, int classes) {

  static ClassChoice parse(String value, DiffusionTask task) {
    if (!(task instanceof ClassConditionalTask classes)) {
      throw new SamplingException("--class applies to class-conditional models; this one is " + task.kind());
    }
    List<String> names = classes.classNames();
    if (value.equals("all")) {
      return new ClassChoice(-1, true, names.size());
    }
    int byName = names.indexOf(value);
    if (byName >= 0) {
      return new ClassChoice(byName, false, names.size());
    }
    try {
      int index = Integer.parseInt(value);
      if (index >= 0 && index < names.size()) {
        return new ClassChoice(index, false, names.size());
      }
    } catch (NumberFormatException notAnIndex) {
      // fall through to the message listing the valid classes
    }
    throw new SamplingException("unknown class '" + value + "'; valid classes: " + String.join(", ", names)
        + " (or an index 0-" + (names.size() - 1) + ", or all)");
  }

  /** Labels for {@code perClass} samples: all of one class, or {@code perClass} of every class, row by row. */
  int[] labels(int perClass) {
    int rows = all ? classes : 1;
    int[] labels = new int[rows * perClass];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = all ? i / perClass : index;
    }
    return labels;
  }
}
