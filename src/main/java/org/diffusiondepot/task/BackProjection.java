package org.diffusiondepot.task;

import org.diffusiondepot.image.Images;

/**
 * Iterative back-projection (Irani and Peleg 1991), the last step of super-resolution: the
 * low-resolution error of an output, upscaled, is added back until the output degrades to its
 * low-resolution input,
 * <pre>
 *   x <- clip(x + up(low - down(x)))
 * </pre>
 * with {@code down} the training degradation without noise (blur, antialiased bicubic, clipping)
 * and {@code up} bicubic upscaling. Each pass replaces the output's low frequencies by the input's
 * and leaves the detail the model generated above them; the clipping keeps pixels in [-1, 1] (both
 * constraints are convex, so alternating them converges). Passes stop once no low-res value is
 * off by more than {@link #TOLERANCE}, far below an 8-bit level (2 / 255 in [-1, 1] units).
 */
final class BackProjection {
  static final double TOLERANCE = 1e-4;
  static final int MAX_PASSES = 200;

  private final Degradation degradation;
  private final int size;
  private final int channels;

  BackProjection(Degradation degradation, int size, int channels) {
    this.degradation = degradation;
    this.size = size;
    this.channels = channels;
  }

  /** One image [size, size, channels] made consistent with {@code lowRes}; a new array. */
  float[] apply(float[] image, float[] lowRes) {
    float[] x = image.clone();
    Images.clamp(x);
    for (int pass = 0; pass < MAX_PASSES; pass++) {
      float[] residual = degradation.downscale(x, size, channels);
      double worst = 0;
      for (int i = 0; i < residual.length; i++) {
        residual[i] = lowRes[i] - residual[i];
        worst = Math.max(worst, Math.abs(residual[i]));
      }
      if (worst <= TOLERANCE) {
        break;
      }
      float[] up = degradation.upscale(residual, size, channels);
      for (int i = 0; i < x.length; i++) {
        x[i] += up[i];
      }
      Images.clamp(x);
    }
    return x;
  }
}
