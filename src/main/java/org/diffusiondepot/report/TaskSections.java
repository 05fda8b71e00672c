package org.diffusiondepot.report;

import java.util.Locale;
import org.diffusiondepot.data.Batch;
import org.diffusiondepot.proto.InpaintingConfig;
import org.diffusiondepot.sampler.Sampling;
import org.diffusiondepot.task.ClassConditionalTask;
import org.diffusiondepot.task.Conditioning;
import org.diffusiondepot.task.DiffusionTask;
import org.diffusiondepot.task.InpaintingTask;
import org.diffusiondepot.task.SuperResolutionTask;
import org.diffusiondepot.task.UnconditionalTask;

/**
 * The one place in the report that looks at which task a model has: it picks the samples figure of
 * section 6 and says how the chains of section 4 are conditioned. Sections ask the task everything
 * else (its shapes, its conditioning, its panels).
 */
final class TaskSections {
  /**
   * How the reverse-process chains were conditioned.
   *
   * @param caption a sentence for the figure's caption, or ""
   * @param examplesNote why the example images used are not the run's own, or null
   */
  record Chains(String caption, String examplesNote) {}

  private TaskSections() {}

  /** The samples figure of {@code task} (the export's), or null when there is none for it. */
  static SamplePart samples(ReportContext ctx, DiffusionTask task) {
    if (task instanceof UnconditionalTask) {
      return new UnconditionalGrid();
    }
    if (task instanceof ClassConditionalTask classes) {
      return new ClassRows(classes);
    }
    if (task instanceof InpaintingTask) {
      return new HeldOutPanels(task, "samples-inpainting", "with seeded masks (" + maskRange(ctx)
          + " of the pixels to fill, shown mid grey in the masked input)",
          "The output keeps the known pixels and generates the hole.");
    }
    if (task instanceof SuperResolutionTask sr) {
      return new HeldOutPanels(task, "samples-super-resolution", "degraded as in training to " + sr.lowResSize()
          + "x" + sr.lowResSize() + " and upscaled to " + sr.imageSize() + "x" + sr.imageSize(),
          "The low-res column shows the input enlarged, the bicubic column the baseline to beat.");
    }
    return null;
  }

  /**
   * Conditions the reverse-process chains of {@code task}, all of which share one request: the
   * classes in turn, or the first validation image with the conditioning the task draws for it.
   */
  static Chains conditionChains(ReportContext ctx, DiffusionTask task, Sampling sampling, int count) {
    if (task instanceof ClassConditionalTask classes) {
      sampling.classLabels(classes.forSampling(Conditioning.none(), 0, count).labels());
      return new Chains(" Classes in turn from " + classes.classNames() + ", guidance " + classes.defaultGuidance()
          + ".", null);
    }
    if (task instanceof InpaintingTask) {
      heldOut(ctx, task, sampling);
      return new Chains(" All chains complete the same validation image with a seeded mask; the known pixels are "
          + "imposed at every step.", ctx.examples().note());
    }
    if (task instanceof SuperResolutionTask) {
      heldOut(ctx, task, sampling);
      return new Chains(" All chains upscale the same validation image, degraded as in training.",
          ctx.examples().note());
    }
    return new Chains("", null);
  }

  /** The first validation image's held-out conditioning, for every sample of {@code sampling}. */
  private static void heldOut(ReportContext ctx, DiffusionTask task, Sampling sampling) {
    Batch image = ctx.examples().validation(1);
    TaskSampling.given(sampling, task.forHeldOut(image.images(), image.labels(), 1, ctx.options.seed(), 0));
  }

  /** The config's mask fill range, as "20% to 40%". */
  private static String maskRange(ReportContext ctx) {
    InpaintingConfig range = ctx.config.getInpainting();
    return String.format(Locale.ROOT, "%.0f%% to %.0f%%", 100 * range.getMinMaskRatio(),
        100 * range.getMaxMaskRatio());
  }
}
