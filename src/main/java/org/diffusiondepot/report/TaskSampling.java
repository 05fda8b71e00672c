package org.diffusiondepot.report;

import java.io.IOException;
import java.util.Arrays;
import java.util.Locale;
import org.diffusiondepot.proto.ModelCard;
import org.diffusiondepot.sampler.Samples;
import org.diffusiondepot.sampler.Sampling;
import org.diffusiondepot.task.Conditioning;
import org.diffusiondepot.task.DiffusionTask;

/**
 * How the report samples from an export: whether it can show the samples as images at all, the
 * settings every sampled figure shares, and how a task's conditioning becomes a sampling request.
 */
final class TaskSampling {
  /** Stochastic DDIM, as the training previews: briefly trained models give cleaner images with it. */
  static final double ETA = 1.0;

  private TaskSampling() {}

  /**
   * Null when the report can ask the sampler for images of this model; otherwise why not: there is
   * no diffusion task to sample ({@code task} null: a first stage, or a config that does not load),
   * or the card says the denoiser works on latents that its task does not decode.
   */
  static String unsupported(ModelCard card, DiffusionTask task) {
    if (task == null) {
      return "there is no diffusion task to sample for this " + card.getTask() + " model (a first stage, or an "
          + "export whose config does not load)";
    }
    if (latent(card) && !latent(task)) {
      return "this " + card.getTask() + " model denoises " + card.getModelSize() + "x" + card.getModelSize() + "x"
          + card.getModelChannels() + " latents, not " + card.getImageSize() + "px images";
    }
    return null;
  }

  /** True when the card's denoiser works on something other than the images themselves. */
  static boolean latent(ModelCard card) {
    return card.getModelSize() != card.getImageSize() || card.getModelChannels() != card.getImageChannels();
  }

  /** True when the task's denoiser works on first-stage latents, which the task decodes into images. */
  static boolean latent(DiffusionTask task) {
    return task.modelSize() != task.imageSize() || task.modelChannels() != task.imageChannels();
  }

  /** DDIM steps of the sampled figures: the report's, at most the model's chain. */
  static int steps(ReportContext ctx) {
    return Math.min(ctx.options.steps(), ctx.card.getDiffusion().getTimesteps());
  }

  /** A request for {@code n} samples with the report's settings. */
  static Sampling sampling(ReportContext ctx, int n) throws IOException {
    return ctx.model().sampling().count(n).ddim(steps(ctx)).eta(ETA).seed(ctx.options.seed());
  }

  /** {@code n} samples with the report's settings; labels and guidance for class-conditional models. */
  static Samples sample(ReportContext ctx, int n, int[] labels, Double guidance) throws IOException {
    Sampling sampling = sampling(ctx, n);
    if (labels != null) {
      sampling.classLabels(labels);
    }
    if (guidance != null) {
      sampling.guidance(guidance);
    }
    ctx.progress("sampling %d images (%s%s)", n, method(ctx), guidance == null ? "" : ", guidance " + trim(guidance));
    long start = System.nanoTime();
    Samples samples = sampling.run();
    ctx.progress("sampled %d images in %.1f s", n, (System.nanoTime() - start) / 1e9);
    return samples;
  }

  /**
   * Gives {@code sampling} what one example's conditioning holds (labels, image and mask, or
   * low-resolution image), which the sampler then uses for every sample of the request.
   */
  static Sampling given(Sampling sampling, Conditioning condition) {
    if (condition.labels() != null) {
      sampling.classLabels(condition.labels());
    }
    if (condition.image() != null) {
      sampling.inpaint(condition.image(), condition.mask());
    }
    if (condition.lowRes() != null) {
      sampling.lowRes(condition.lowRes());
    }
    return sampling;
  }

  /** Example {@code i} of the conditioning of {@code n} examples. */
  static Conditioning one(Conditioning condition, int i, int n) {
    return new Conditioning(condition.labels() == null ? null : new int[] {condition.labels()[i]},
        slice(condition.image(), i, n), slice(condition.mask(), i, n), slice(condition.lowRes(), i, n));
  }

  private static float[] slice(float[] all, int i, int n) {
    if (all == null) {
      return null;
    }
    int per = all.length / n;
    return Arrays.copyOfRange(all, i * per, (i + 1) * per);
  }

  static String method(ReportContext ctx) {
    return String.format(Locale.ROOT, "DDIM %d steps, eta %.0f, seed %d", steps(ctx), ETA, ctx.options.seed());
  }

  /** A guidance scale without a needless ".0". */
  static String trim(double w) {
    return w == Math.rint(w) ? String.valueOf((long) w) : String.valueOf(w);
  }
}
