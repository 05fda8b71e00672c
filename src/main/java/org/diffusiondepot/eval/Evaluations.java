package org.diffusiondepot.eval;

import org.diffusiondepot.task.ClassConditionalTask;
import org.diffusiondepot.task.DiffusionTask;
import org.diffusiondepot.task.InpaintingTask;
import org.diffusiondepot.task.SuperResolutionTask;
import org.diffusiondepot.task.UnconditionalTask;

/**
 * The one place in evaluation that looks at which task a model has: it picks the {@link
 * TaskEvaluation} of the task. Everything else asks the task itself.
 */
public final class Evaluations {
  private Evaluations() {}

  public static TaskEvaluation of(DiffusionTask task) {
    if (task instanceof UnconditionalTask) {
      return new UnconditionalEvaluation();
    }
    if (task instanceof ClassConditionalTask classes) {
      return new ClassEvaluation(classes);
    }
    if (task instanceof InpaintingTask inpainting) {
      return new InpaintingEvaluation(inpainting);
    }
    if (task instanceof SuperResolutionTask superResolution) {
      return new SuperResolutionEvaluation(superResolution);
    }
    throw new IllegalArgumentException("cannot evaluate a " + task.kind() + " export with this command");
  }
}
