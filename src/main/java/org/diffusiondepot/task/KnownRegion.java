package org.diffusiondepot.task;

import java.util.Random;
import org.diffusiondepot.schedule.NoiseSchedule;

/**
 * Inpainting's known pixels, imposed after every reverse step at the chain's noise level:
 * x_t = sqrt(abar_t) x_known + sqrt(1 - abar_t) z outside the hole (Lugmayr et al.'s RePaint
 * replacement), and exactly x_known once the chain reaches x_0. The denoiser also sees the masked
 * image and the mask as inputs; the replacement keeps the hole's border consistent with the known
 * pixels at every step, which a briefly trained model alone does not. With more than one pass per
 * step ({@link #passes}, RePaint's resampling) the sampler re-noises the replaced state and takes
 * the step again, so the hole adapts to the freshly imposed known pixels.
 */
final class KnownRegion implements StepConstraint {
  private final NoiseSchedule schedule;
  private final float[] image;
  private final float[] mask;
  private final int pixels;
  private final int channels;
  private final int passes;

  /**
   * @param image the known images [n, size, size, channels] in [-1, 1]; one image serves every example
   * @param mask their masks [n, size, size], above 0.5 where pixels are to be generated
   * @param passes times every reverse step is taken (1 = no resampling)
   */
  KnownRegion(NoiseSchedule schedule, float[] image, float[] mask, int size, int channels, int passes) {
    this.pixels = size * size;
    if (image.length != mask.length * channels || mask.length % pixels != 0) {
      throw new IllegalArgumentException(image.length + " image values and " + mask.length + " mask values are not "
          + "whole " + size + "x" + size + "x" + channels + " images and masks");
    }
    this.schedule = schedule;
    this.image = image;
    this.mask = mask;
    this.channels = channels;
    this.passes = Math.max(1, passes);
  }

  @Override
  public int passes() {
    return passes;
  }

  @Override
  public void apply(float[] x, int t, Random random) {
    int perImage = pixels * channels;
    int known = mask.length / pixels;
    double signal = t < 0 ? 1.0 : schedule.sqrtAlphaCumprod(t);
    double noise = t < 0 ? 0.0 : schedule.sqrtOneMinusAlphaCumprod(t);
    for (int b = 0; b < x.length / perImage; b++) {
      int m = (b % known) * pixels;
      int start = b * perImage;
      for (int p = 0; p < pixels; p++) {
        if (mask[m + p] > 0.5f) {
          continue;
        }
        for (int c = 0; c < channels; c++) {
          int k = (m + p) * channels + c;
          x[start + p * channels + c] = t < 0 ? image[k] : (float) (signal * image[k] + noise * random.nextGaussian());
        }
      }
    }
  }
}
