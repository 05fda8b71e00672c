package org.diffusiondepot.eval;

import java.util.Arrays;
import java.util.List;
import org.diffusiondepot.proto.InpaintingConfig;
import org.diffusiondepot.sampler.Samples;
import org.diffusiondepot.task.Conditioning;
import org.diffusiondepot.task.InpaintingTask;

/**
 * Inpainting models: inside the hole, against the held-out image, PSNR and SSIM of the model's
 * fill, of the mean of {@link #POSTERIOR_SAMPLES} fills (an estimate of the posterior mean, what
 * PSNR rewards), and of two simple baselines (mean fill, blur fill); and the sliced Wasserstein
 * distance of each to the true images on patches centred in the holes (what a blurry fill loses).
 * Each held-out image gets the mask the task draws for it and is completed on its own, its fills
 * drawn together with a seed of its own; "model" is the first of them.
 */
final class InpaintingEvaluation implements TaskEvaluation {
  /** Jacobi sweeps of the blur fill: enough to smooth holes of the sizes the masks have. */
  private static final int BLUR_ITERATIONS = 200;
  /** Fills per image whose mean estimates the posterior mean. */
  static final int POSTERIOR_SAMPLES = 8;
  static final List<String> CANDIDATES = List.of("model", "posterior_mean", "mean_fill", "blur_fill");

  private final InpaintingTask task;

  InpaintingEvaluation(InpaintingTask task) {
    this.task = task;
  }

  @Override
  public void evaluate(EvaluationContext ctx) {
    int size = task.imageSize();
    int channels = task.imageChannels();
    int pixels = size * size;
    int values = pixels * channels;
    int n = ctx.reference().size();
    Conditioning held = ctx.heldOut(0, n);
    CandidateScores scores = new CandidateScores(CANDIDATES, size, channels);
    for (int i = 0; i < n; i++) {
      float[] image = ctx.image(i);
      float[] mask = Arrays.copyOfRange(held.mask(), i * pixels, (i + 1) * pixels);
      Samples filled = ctx.samplingFor(i).count(POSTERIOR_SAMPLES).inpaint(image, mask).run();
      float[] mean = new float[values];
      for (int s = 0; s < POSTERIOR_SAMPLES; s++) {
        float[] one = filled.sample(s);
        for (int k = 0; k < values; k++) {
          mean[k] += one[k] / POSTERIOR_SAMPLES;
        }
      }
      scores.add(image, mask, filled.sample(0), mean, InpaintingBaselines.meanFill(image, mask, size, channels),
          InpaintingBaselines.blurFill(image, mask, size, channels, BLUR_ITERATIONS));
    }
    InpaintingConfig range = ctx.config().getInpainting();
    // The chains resample as --resamplings or the export's config says; scores with and without are not comparable.
    int passes = ctx.sampling(1).passes();
    String method = ctx.method() + (passes > 1 ? ", every step taken " + passes + " times (resampling)" : "");
    ctx.out().printf("inpainting, inside the hole, %d held-out images with seeded masks (%.0f-%.0f%% of pixels), %s:%n",
        n, 100 * range.getMinMaskRatio(), 100 * range.getMaxMaskRatio(), method);
    ctx.out().printf("  %-18s %9s %7s %7s%n", "", "PSNR dB", "SSIM", "SWD");
    for (int m = 0; m < CANDIDATES.size(); m++) {
      String name = m == 1 ? "mean of " + POSTERIOR_SAMPLES : CANDIDATES.get(m).replace('_', ' ');
      ctx.out().printf("  %-18s %9.2f %7.4f %7.2f%n", name, scores.psnr(m), scores.ssim(m), scores.swd(m));
    }
    ctx.out().println("  (model: one fill per image; mean of " + POSTERIOR_SAMPLES + ": the mean of " + POSTERIOR_SAMPLES
        + " fills; SWD x 1e3 to the true images on " + SlicedWasserstein.DEFAULT_PATCH_SIZE + "x"
        + SlicedWasserstein.DEFAULT_PATCH_SIZE + " patches centred in the hole, lower is closer)");
    scores.put(ctx.report(), "hole");
  }
}
