package org.diffusiondepot.image;

import java.util.Arrays;

/**
 * Separable resampling of row-major HWC float images. Each output pixel is a normalized weighted
 * sum of input pixels ("taps"), computed once per axis, so rows can also be fed one at a time.
 */
public final class Resampler {
  public enum Filter {
    /** Exact area averaging: each output pixel is the mean of the input area it covers. */
    AREA,
    /**
     * Keys cubic with a = -0.5, widened by the scale factor when downscaling, exactly as PIL's
     * BICUBIC resize, so models see the same low-res inputs as PIL-trained references.
     */
    BICUBIC
  }

  /** For each output pixel: the first input pixel it reads and the weights of the taps from there. */
  public record Taps(int[] first, float[][] weights) {}

  private Resampler() {}

  public static Taps taps(int inSize, int outSize, Filter filter) {
    if (inSize < 1 || outSize < 1) {
      throw new IllegalArgumentException("sizes must be positive, got " + inSize + " -> " + outSize);
    }
    return filter == Filter.AREA ? areaTaps(inSize, outSize) : bicubicTaps(inSize, outSize);
  }

  private static Taps areaTaps(int inSize, int outSize) {
    int[] first = new int[outSize];
    float[][] weights = new float[outSize][];
    double scale = (double) inSize / outSize;
    for (int x = 0; x < outSize; x++) {
      // Exact rationals, so integer factors give exact equal weights.
      double lo = (double) x * inSize / outSize;
      double hi = (double) (x + 1) * inSize / outSize;
      int start = (int) Math.floor(lo);
      int end = Math.min(inSize, (int) Math.ceil(hi));
      float[] w = new float[end - start];
      for (int i = start; i < end; i++) {
        w[i - start] = (float) ((Math.min(hi, i + 1) - Math.max(lo, i)) / scale);
      }
      first[x] = start;
      weights[x] = normalize(w);
    }
    return new Taps(first, weights);
  }

  // Mirrors precompute_coeffs in PIL's Resample.c, including its rounding of the window ends.
  private static Taps bicubicTaps(int inSize, int outSize) {
    int[] first = new int[outSize];
    float[][] weights = new float[outSize][];
    double scale = (double) inSize / outSize;
    double filterScale = Math.max(scale, 1.0);
    double support = 2.0 * filterScale;
    for (int x = 0; x < outSize; x++) {
      double center = (x + 0.5) * scale;
      int start = Math.max((int) (center - support + 0.5), 0);
      int end = Math.min((int) (center + support + 0.5), inSize);
      float[] w = new float[end - start];
      for (int i = start; i < end; i++) {
        w[i - start] = (float) cubic((i - center + 0.5) / filterScale);
      }
      first[x] = start;
      weights[x] = normalize(w);
    }
    return new Taps(first, weights);
  }

  private static double cubic(double x) {
    final double a = -0.5;
    x = Math.abs(x);
    if (x < 1.0) {
      return ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0;
    }
    if (x < 2.0) {
      return (((x - 5.0) * x + 8.0) * x - 4.0) * a;
    }
    return 0.0;
  }

  private static float[] normalize(float[] w) {
    double sum = 0;
    for (float v : w) {
      sum += v;
    }
    if (sum != 0) {
      for (int i = 0; i < w.length; i++) {
        w[i] = (float) (w[i] / sum);
      }
    }
    return w;
  }

  /** Resamples one row of interleaved pixels: in[inOffset..] to out[outOffset..]. */
  public static void resampleRow(float[] in, int inOffset, Taps taps, int channels, float[] out, int outOffset) {
    double[] acc = new double[channels];
    for (int x = 0; x < taps.first().length; x++) {
      float[] w = taps.weights()[x];
      Arrays.fill(acc, 0);
      // Taps outer, channels inner: reads the input sequentially.
      for (int k = 0, i = inOffset + taps.first()[x] * channels; k < w.length; k++) {
        for (int c = 0; c < channels; c++, i++) {
          acc[c] += w[k] * in[i];
        }
      }
      for (int c = 0; c < channels; c++) {
        out[outOffset + x * channels + c] = (float) acc[c];
      }
    }
  }

  /** Combines whole rows of {@code rowLength} floats: output row y = sum of taps over input rows. */
  public static float[] resampleColumns(float[] rows, int rowLength, Taps taps) {
    int outHeight = taps.first().length;
    float[] out = new float[outHeight * rowLength];
    double[] acc = new double[rowLength];
    for (int y = 0; y < outHeight; y++) {
      Arrays.fill(acc, 0);
      float[] w = taps.weights()[y];
      for (int k = 0; k < w.length; k++) {
        int src = (taps.first()[y] + k) * rowLength;
        for (int i = 0; i < rowLength; i++) {
          acc[i] += w[k] * rows[src + i];
        }
      }
      for (int i = 0; i < rowLength; i++) {
        out[y * rowLength + i] = (float) acc[i];
      }
    }
    return out;
  }

  public static float[] resize(float[] img, int inWidth, int inHeight, int outWidth, int outHeight, int channels,
      Filter filter) {
    if (img.length != inWidth * inHeight * channels) {
      throw new IllegalArgumentException("image has " + img.length + " values, expected " + inWidth + "x"
          + inHeight + "x" + channels);
    }
    Taps horizontal = taps(inWidth, outWidth, filter);
    float[] rows = new float[inHeight * outWidth * channels];
    for (int y = 0; y < inHeight; y++) {
      resampleRow(img, y * inWidth * channels, horizontal, channels, rows, y * outWidth * channels);
    }
    return resampleColumns(rows, outWidth * channels, taps(inHeight, outHeight, filter));
  }
}
