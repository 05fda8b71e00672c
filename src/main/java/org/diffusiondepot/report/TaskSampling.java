package org.diffusiondepot.report;

import java.util.Arrays;
import org.diffusiondepot.data.Batch;
import org.diffusiondepot.task.MaskGenerator;
import org.diffusiondepot.proto.ModelCard;
import org.diffusiondepot.sampler.Sampling;

/** What the report needs to know to sample from an export of each task. */
final class TaskSampling {
  /** Stochastic DDIM, as the training previews: briefly trained models give cleaner images with it. */
  static final double ETA = 1.0;

  private TaskSampling() {}

  /**
   * Null when the report can ask the sampler for this card's images; otherwise why not.
   * Super-resolution passes: whether the sampler decodes its latents is found out by trying.
   */
  static String unsupported(ModelCard card) {
    return switch (card.getTask()) {
      case SUPER_RESOLUTION -> null;
      case UNCONDITIONAL, CLASS_CONDITIONAL, INPAINTING -> latent(card)
          ? "this " + card.getTask() + " model denoises " + card.getModelSize() + "x" + card.getModelSize() + "x"
              + card.getModelChannels() + " latents, not " + card.getImageSize() + "px images"
          : null;
      default -> "the sampler does not generate images for task " + card.getTask();
    };
  }

  /** True when the denoiser works on first-stage latents rather than on the images themselves. */
  static boolean latent(ModelCard card) {
    return card.getModelSize() != card.getImageSize() || card.getModelChannels() != card.getImageChannels();
  }

  /**
   * Gives {@code sampling} the conditioning of the card's task for a batch of {@code count}: classes
   * in turn, or the first validation image with a seeded mask, or its low-resolution version.
   */
  static Sampling condition(ReportContext ctx, Sampling sampling, int count) {
    ModelCard card = ctx.card;
    switch (card.getTask()) {
      case CLASS_CONDITIONAL -> {
        int classes = Math.max(1, card.getClassNamesCount());
        int[] labels = new int[count];
        Arrays.setAll(labels, i -> i % classes);
        sampling.classLabels(labels);
      }
      case INPAINTING -> {
        Batch image = ctx.examples().validation(1);
        sampling.inpaint(image.images(), masks(ctx, image.resolution()).generate(ctx.options.seed()));
      }
      case SUPER_RESOLUTION -> {
        Batch image = ctx.examples().validation(1);
        sampling.lowRes(SuperResolutionSamples.degrade(ctx, image.images(), ctx.options.seed()).lowRes());
      }
      default -> {
      }
    }
    return sampling;
  }

  /** Masks as training draws them: the config's fill range, or 10-50% without a config. */
  static MaskGenerator masks(ReportContext ctx, int resolution) {
    if (ctx.config != null && ctx.config.hasInpainting()) {
      return new MaskGenerator(resolution, ctx.config.getInpainting().getMinMaskRatio(),
          ctx.config.getInpainting().getMaxMaskRatio());
    }
    return new MaskGenerator(resolution, 0.1, 0.5);
  }

  /** The image with the hole zeroed, as the sampler feeds it to the model (0 is mid grey). */
  static float[] masked(float[] image, float[] mask, int channels) {
    float[] out = image.clone();
    for (int p = 0; p < mask.length; p++) {
      if (mask[p] > 0.5f) {
        Arrays.fill(out, p * channels, (p + 1) * channels, 0f);
      }
    }
    return out;
  }
}
