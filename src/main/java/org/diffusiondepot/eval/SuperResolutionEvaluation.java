package org.diffusiondepot.eval;

import java.util.Arrays;
import java.util.List;
import org.diffusiondepot.image.Images;
import org.diffusiondepot.task.Conditioning;
import org.diffusiondepot.task.SuperResolutionTask;

/**
 * Super-resolution models, on held-out high-resolution images degraded as the task degrades them,
 * each upscaled on its own with a seed of its own. Candidates: the model's upscaling (with the
 * task's back-projection onto the low-res input, as the sampler gives it), the same chains
 * without it, plain bicubic upscaling (the baseline to beat), and the first stage's own
 * reconstruction of the true image (encode then decode: the ceiling of the chain alone). For each:
 * <ul>
 *   <li>PSNR and SSIM against the true image;
 *   <li>consistency: PSNR of the candidate degraded again (without noise) against the low-res
 *       input, i.e. whether it explains the input;
 *   <li>sliced Wasserstein distance of the candidates to the true images (sharper, not blurrier).
 * </ul>
 */
final class SuperResolutionEvaluation implements TaskEvaluation {
  static final List<String> CANDIDATES = List.of("model", "model_no_backprojection", "bicubic",
      "vqgan_reconstruction");

  private final SuperResolutionTask task;

  SuperResolutionEvaluation(SuperResolutionTask task) {
    this.task = task;
  }

  @Override
  public void evaluate(EvaluationContext ctx) {
    int size = task.imageSize();
    int low = task.lowResSize();
    int channels = task.imageChannels();
    int lowValues = low * low * channels;
    int n = ctx.reference().size();
    Conditioning held = ctx.heldOut(0, n);
    CandidateScores scores = new CandidateScores(CANDIDATES, size, channels);
    double[] consistency = new double[CANDIDATES.size()];
    for (int i = 0; i < n; i++) {
      float[] image = ctx.image(i);
      float[] lowRes = Arrays.copyOfRange(held.lowRes(), i * lowValues, (i + 1) * lowValues);
      float[] raw = ctx.samplingFor(i).lowRes(lowRes).consistencyStep(false).run().pixels();
      float[] projected = task.makeConsistent(raw, Conditioning.ofLowRes(lowRes), 1);
      float[][] candidates = {projected, raw, task.bicubic(lowRes), reconstruction(image)};
      scores.add(image, null, candidates);
      for (int m = 0; m < candidates.length; m++) {
        consistency[m] += ImageMetrics.psnr(task.downscale(candidates[m]), lowRes, null, low, channels);
      }
    }
    ctx.out().printf("super-resolution %dx%d -> %dx%d, %d held-out images (%s):%n", low, low, size, size, n,
        ctx.method());
    ctx.out().printf("  %-24s %9s %7s %12s %7s%n", "", "PSNR dB", "SSIM", "consistency", "SWD");
    for (int m = 0; m < CANDIDATES.size(); m++) {
      ctx.out().printf("  %-24s %9.2f %7.4f %9.2f dB %7.2f%n", CANDIDATES.get(m).replace('_', ' '), scores.psnr(m),
          scores.ssim(m), consistency[m] / n, scores.swd(m));
      ctx.report().put("sr_consistency_psnr_" + CANDIDATES.get(m), consistency[m] / n);
    }
    ctx.out().println("  (consistency: PSNR of the output degraded again against the low-res input; SWD x 1e3 to the"
        + " true images, 7x7 patches, lower is closer)");
    scores.put(ctx.report(), "sr");
  }

  /** The image through the first stage and back, clipped to [-1, 1], the range of images. */
  private float[] reconstruction(float[] image) {
    float[] out = task.toImages(task.target(image, 1), 1);
    Images.clamp(out);
    return out;
  }
}
