package org.diffusiondepot.task;

import java.util.Random;
import org.diffusiondepot.image.Images;
import org.diffusiondepot.image.Resampler;
import org.diffusiondepot.runtime.Seeds;

/**
 * Makes the low-resolution input of a super-resolution pair from a high-resolution image: optional
 * Gaussian blur, antialiased bicubic downscale (as PIL's BICUBIC resize), optional Gaussian noise,
 * then clipping to [-1, 1].
 */
public final class Degradation {
  private static final long SALT = 0x4e4f4953L;

  private final int downscale;
  private final double blurSigma;
  private final double noiseStd;

  /**
   * @param downscale integer factor between the high- and low-res sides
   * @param blurSigma Gaussian blur in high-res pixels before downscaling; 0 = none
   * @param noiseStd Gaussian noise added to the low-res image, in [-1, 1] units; 0 = none
   */
  public Degradation(int downscale, double blurSigma, double noiseStd) {
    if (downscale < 1 || !(blurSigma >= 0) || !(noiseStd >= 0)) {
      throw new IllegalArgumentException("need downscale >= 1, blurSigma >= 0 and noiseStd >= 0, got " + downscale
          + ", " + blurSigma + ", " + noiseStd);
    }
    this.downscale = downscale;
    this.blurSigma = blurSigma;
    this.noiseStd = noiseStd;
  }

  /** The (size / downscale)^2 * channels low-res image; the noise is a function of the seed. */
  public float[] apply(float[] hr, int size, int channels, long seed) {
    float[] low = unclipped(hr, size, channels);
    if (noiseStd > 0) {
      Random random = new Random(Seeds.mix(SALT, seed));
      for (int i = 0; i < low.length; i++) {
        low[i] += (float) (random.nextGaussian() * noiseStd);
      }
    }
    // Clipped even without noise: bicubic overshoots at sharp edges.
    Images.clamp(low);
    return low;
  }

  /**
   * The degradation without its noise: blur, antialiased bicubic downscale, clipping. What a
   * super-resolved image must map back to (consistency with its low-res input).
   */
  public float[] downscale(float[] hr, int size, int channels) {
    float[] low = unclipped(hr, size, channels);
    Images.clamp(low);
    return low;
  }

  /** Bicubic upscaling by the factor, the (approximate) inverse of {@link #downscale}; not clipped. */
  public float[] upscale(float[] low, int size, int channels) {
    return resize(low, size / downscale, size, channels);
  }

  private float[] unclipped(float[] hr, int size, int channels) {
    checkShape(hr, size, channels);
    if (size % downscale != 0) {
      throw new IllegalArgumentException("image side " + size + " is not a multiple of the downscale factor "
          + downscale);
    }
    float[] img = blurSigma > 0 ? gaussianBlur(hr, size, channels, blurSigma) : hr;
    return resize(img, size, size / downscale, channels);
  }

  /**
   * Antialiased bicubic resize (a = -0.5, the kernel widened by the factor when shrinking), as
   * PIL's Image.resize(BICUBIC); works both ways. Values are not clipped.
   */
  public static float[] resize(float[] img, int inSize, int outSize, int channels) {
    checkShape(img, inSize, channels);
    return Resampler.resize(img, inSize, inSize, outSize, outSize, channels, Resampler.Filter.BICUBIC);
  }

  /** Mean of each factor x factor block; inSize must be a multiple of outSize. */
  public static float[] areaResize(float[] img, int inSize, int outSize, int channels) {
    checkShape(img, inSize, channels);
    if (outSize < 1 || inSize % outSize != 0) {
      throw new IllegalArgumentException("area resize needs an integer factor, got " + inSize + " -> " + outSize);
    }
    return Resampler.resize(img, inSize, inSize, outSize, outSize, channels, Resampler.Filter.AREA);
  }

  /** Separable Gaussian blur truncated at 3 sigma, with edge pixels repeated beyond the border. */
  static float[] gaussianBlur(float[] img, int size, int channels, double sigma) {
    int radius = Math.max(1, (int) Math.ceil(3 * sigma));
    double[] kernel = new double[2 * radius + 1];
    double sum = 0;
    for (int k = -radius; k <= radius; k++) {
      kernel[k + radius] = Math.exp(-k * k / (2 * sigma * sigma));
      sum += kernel[k + radius];
    }
    for (int k = 0; k < kernel.length; k++) {
      kernel[k] /= sum;
    }
    float[] horizontal = new float[img.length];
    float[] out = new float[img.length];
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        for (int c = 0; c < channels; c++) {
          double acc = 0;
          for (int k = -radius; k <= radius; k++) {
            int sx = Math.max(0, Math.min(size - 1, x + k));
            acc += kernel[k + radius] * img[(y * size + sx) * channels + c];
          }
          horizontal[(y * size + x) * channels + c] = (float) acc;
        }
      }
    }
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        for (int c = 0; c < channels; c++) {
          double acc = 0;
          for (int k = -radius; k <= radius; k++) {
            int sy = Math.max(0, Math.min(size - 1, y + k));
            acc += kernel[k + radius] * horizontal[(sy * size + x) * channels + c];
          }
          out[(y * size + x) * channels + c] = (float) acc;
        }
      }
    }
    return out;
  }

  private static void checkShape(float[] img, int size, int channels) {
    if (channels < 1 || img.length != size * size * channels) {
      throw new IllegalArgumentException("image has " + img.length + " values, expected " + size + "x" + size + "x"
          + channels);
    }
  }
}
