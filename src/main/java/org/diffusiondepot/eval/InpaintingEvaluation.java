package org.diffusiondepot.eval;

import java.util.Arrays;
import java.util.List;
import org.diffusiondepot.proto.InpaintingConfig;
import org.diffusiondepot.sampler.Samples;
import org.diffusiondepot.task.Conditioning;
import org.diffusiondepot.task.InpaintingTask;

/**
 * Inpainting models: PSNR and SSIM inside the hole, against the held-out image, of the model's
 * fill and of two simple baselines (mean fill, blur fill). Each held-out image gets the mask the
 * task draws for it, and is completed on its own with a seed of its own.
 */
final class InpaintingEvaluation implements TaskEvaluation {
  /** Jacobi sweeps of the blur fill: enough to smooth holes of the sizes the masks have. */
  private static final int BLUR_ITERATIONS = 200;

  private final InpaintingTask task;

  InpaintingEvaluation(InpaintingTask task) {
    this.task = task;
  }

  @Override
  public void evaluate(EvaluationContext ctx) {
    int size = task.imageSize();
    int channels = task.imageChannels();
    int pixels = size * size;
    int n = ctx.reference().size();
    Conditioning held = ctx.heldOut(0, n);
    CandidateScores scores = new CandidateScores(List.of("model", "mean_fill", "blur_fill"), size, channels);
    for (int i = 0; i < n; i++) {
      float[] image = ctx.image(i);
      float[] mask = Arrays.copyOfRange(held.mask(), i * pixels, (i + 1) * pixels);
      Samples filled = ctx.samplingFor(i).inpaint(image, mask).run();
      scores.add(image, mask, filled.pixels(), InpaintingBaselines.meanFill(image, mask, size, channels),
          InpaintingBaselines.blurFill(image, mask, size, channels, BLUR_ITERATIONS));
    }
    InpaintingConfig range = ctx.config().getInpainting();
    ctx.out().printf("inpainting, inside the hole, %d held-out images with random masks (%.0f-%.0f%% of pixels):%n",
        n, 100 * range.getMinMaskRatio(), 100 * range.getMaxMaskRatio());
    for (int m = 0; m < scores.names().size(); m++) {
      ctx.out().printf("  %-10s PSNR %.2f dB  SSIM %.4f%n", scores.names().get(m), scores.psnr(m), scores.ssim(m));
    }
    scores.put(ctx.report(), "hole");
  }
}
