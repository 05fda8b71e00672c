package org.diffusiondepot.eval;

import java.util.Arrays;
import java.util.List;
import org.diffusiondepot.image.Images;
import org.diffusiondepot.sampler.Samples;
import org.diffusiondepot.task.Conditioning;
import org.diffusiondepot.task.SuperResolutionTask;

/**
 * Super-resolution models: PSNR and SSIM against the held-out high-resolution image of the
 * model's upscaling, of plain bicubic upscaling (the baseline to beat), and of the first stage's
 * own reconstruction of the image (encode then decode): the ceiling any latent model can reach.
 * Each held-out image is degraded as the task degrades it and upscaled on its own, with a seed of
 * its own.
 */
final class SuperResolutionEvaluation implements TaskEvaluation {
  private final SuperResolutionTask task;

  SuperResolutionEvaluation(SuperResolutionTask task) {
    this.task = task;
  }

  @Override
  public void evaluate(EvaluationContext ctx) {
    int size = task.imageSize();
    int low = task.lowResSize();
    int lowValues = low * low * task.imageChannels();
    int n = ctx.reference().size();
    Conditioning held = ctx.heldOut(0, n);
    CandidateScores scores = new CandidateScores(List.of("model", "bicubic", "vqgan_reconstruction"), size,
        task.imageChannels());
    for (int i = 0; i < n; i++) {
      float[] image = ctx.image(i);
      float[] lowRes = Arrays.copyOfRange(held.lowRes(), i * lowValues, (i + 1) * lowValues);
      Samples upscaled = ctx.samplingFor(i).lowRes(lowRes).run();
      scores.add(image, null, upscaled.pixels(), task.bicubic(lowRes), reconstruction(image));
    }
    ctx.out().printf("super-resolution %dx%d -> %dx%d, %d held-out images:%n", low, low, size, size, n);
    for (int m = 0; m < scores.names().size(); m++) {
      ctx.out().printf("  %-20s PSNR %.2f dB  SSIM %.4f%n", scores.names().get(m).replace('_', ' '), scores.psnr(m),
          scores.ssim(m));
    }
    scores.put(ctx.report(), "sr");
  }

  /** The image through the first stage and back, clipped to [-1, 1], the range of images. */
  private float[] reconstruction(float[] image) {
    float[] out = task.toImages(task.target(image, 1), 1);
    Images.clamp(out);
    return out;
  }
}
