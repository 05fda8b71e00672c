package org.diffusiondepot.sampler;

import org.diffusiondepot.image.Resampler;

/**
 * How a super-resolution denoiser sees its low-resolution input: the low-res image resized to the
 * latent side (area averaging when the sizes divide, antialiased bicubic otherwise) and
 * concatenated to z_t. Resizing, rather than encoding with the first stage, keeps the condition
 * independent of the VQGAN and cheap; both sides of the model use this one function.
 */
public final class LowResConditioning {
  private LowResConditioning() {}

  /** [n, lowSize, lowSize, c] to [n, latentSide, latentSide, c]. */
  public static float[] toLatentSide(float[] lowRes, int n, int lowSize, int latentSide, int channels) {
    if (lowSize == latentSide) {
      return lowRes.clone();
    }
    Resampler.Filter filter = lowSize > latentSide && lowSize % latentSide == 0
        ? Resampler.Filter.AREA : Resampler.Filter.BICUBIC;
    int in = lowSize * lowSize * channels;
    int out = latentSide * latentSide * channels;
    float[] result = new float[n * out];
    for (int i = 0; i < n; i++) {
      float[] one = new float[in];
      System.arraycopy(lowRes, i * in, one, 0, in);
      float[] resized = Resampler.resize(one, lowSize, lowSize, latentSide, latentSide, channels, filter);
      System.arraycopy(resized, 0, result, i * out, out);
    }
    return result;
  }

  /** Plain bicubic upscaling of a low-res image to the output size: the baseline SR is compared to. */
  public static float[] bicubic(float[] lowRes, int lowSize, int size, int channels) {
    float[] up = Resampler.resize(lowRes, lowSize, lowSize, size, size, channels, Resampler.Filter.BICUBIC);
    for (int i = 0; i < up.length; i++) {
      up[i] = Math.max(-1f, Math.min(1f, up[i]));
    }
    return up;
  }
}
