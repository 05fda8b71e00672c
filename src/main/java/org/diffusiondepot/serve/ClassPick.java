package org.diffusiondepot.serve;

import java.util.List;
import org.diffusiondepot.sampler.SamplingException;

/**
 * The class picker's value to labels, as {@code depot-sample --class} reads it: a class name, an
 * index, or "all" for {@code num} samples of every class, one class after the other.
 */
final class ClassPick {
  private ClassPick() {}

  /** The names the picker offers: the card's, or the indices of a card that has none. */
  static List<String> names(org.diffusiondepot.task.ClassConditionalTask task) {
    List<String> names = task.classNames();
    return names.size() == task.classCount() ? names
        : java.util.stream.IntStream.range(0, task.classCount()).mapToObj(Integer::toString).toList();
  }

  static int[] labels(String value, List<String> names, int num) {
    if (value.equals("all")) {
      int[] labels = new int[names.size() * num];
      for (int i = 0; i < labels.length; i++) {
        labels[i] = i / num;
      }
      return labels;
    }
    int index = names.indexOf(value);
    if (index < 0) {
      try {
        index = Integer.parseInt(value);
      } catch (NumberFormatException notAnIndex) {
        index = -1;
      }
    }
    if (index < 0 || index >= names.size()) {
      throw new SamplingException("unknown class '" + value + "'; valid classes: " + String.join(", ", names)
          + " (or an index 0-" + (names.size() - 1) + ", or all)");
    }
    int[] labels = new int[num];
    java.util.Arrays.fill(labels, index);
    return labels;
  }
}
