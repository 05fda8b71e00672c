package org.diffusiondepot.eval;

/**
 * Full-reference image quality: PSNR and SSIM between two images of the same size.
 *
 * <p>Conventions shared by both: images are row-major HWC float arrays in [-1, 1] (the project's
 * convention), {@code size} x {@code size} pixels with {@code channels} channels. Both metrics are
 * computed on [0, 1] values, (v + 1) / 2, so the data range L is 1 (equivalently, 2 on [-1, 1]).
 * Values are not clamped: an out-of-range sample is measured as it is.
 *
 * <p>A mask, when not null, holds size * size weights, one per pixel (shared by the channels):
 * 1 includes the pixel, 0 excludes it, and fractional values weight it. Note that the inpainting
 * masks of {@code data.MaskGenerator} use 1 = "missing, to be filled", so passing such a mask
 * measures the filled-in region. A mask that selects nothing is an error.
 */
public final class ImageMetrics {
  /** Side of the SSIM window and its Gaussian's standard deviation (Wang et al. 2004). */
  public static final int SSIM_WINDOW = 11;
  public static final double SSIM_SIGMA = 1.5;
  public static final double SSIM_K1 = 0.01;
  public static final double SSIM_K2 = 0.03;

  private static final double[] GAUSSIAN = gaussianWindow(SSIM_WINDOW, SSIM_SIGMA);

  private ImageMetrics() {}

  /**
   * Peak signal-to-noise ratio in dB: 10 log10(L^2 / MSE) with L = 1 on [0, 1] values, the MSE
   * taken over every channel of the (masked) pixels. Identical images give +Infinity.
   */
  public static double psnr(float[] a, float[] b, float[] mask, int size, int channels) {
    checkInputs(a, b, mask, size, channels);
    double squaredError = 0;
    double weight = 0;
    for (int p = 0; p < size * size; p++) {
      double w = mask == null ? 1 : mask[p];
      if (w == 0) {
        continue;
      }
      for (int c = 0; c < channels; c++) {
        // Differences of [-1, 1] values are twice those of [0, 1] values.
        double d = (a[p * channels + c] - (double) b[p * channels + c]) / 2;
        squaredError += w * d * d;
      }
      weight += w * channels;
    }
    checkWeight(weight);
    double mse = squaredError / weight;
    return mse == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(1 / mse);
  }

  /**
   * Structural similarity (Wang, Bovik, Sheikh and Simoncelli 2004): at every position where the
   * 11x11 Gaussian window (sigma 1.5, weights summing to 1) fits inside the image,
   * <pre>
   *   SSIM = (2 mu_a mu_b + C1)(2 sigma_ab + C2) / ((mu_a^2 + mu_b^2 + C1)(sigma_a^2 + sigma_b^2 + C2))
   * </pre>
   * with Gaussian-weighted means, variances and covariance (no N/(N-1) correction), C1 = (K1 L)^2,
   * C2 = (K2 L)^2, K1 = 0.01, K2 = 0.03, L = 1. The map is averaged over its positions, per channel,
   * and the channel means are averaged. Positions are the centres of windows that fit ("valid"
   * filtering, as Wang's reference code), so the map is (size - 10) x (size - 10); with a mask, the
   * average is weighted by the mask value of each window's centre pixel. There is no automatic
   * downsampling of large images (Wang's MATLAB script shrinks images of 384 px and more first).
   * This equals scikit-image's {@code structural_similarity(gaussian_weights=True, sigma=1.5,
   * use_sample_covariance=False, data_range=1)} up to its border handling.
   *
   * @throws IllegalArgumentException for images smaller than the window
   */
  public static double ssim(float[] a, float[] b, float[] mask, int size, int channels) {
    checkInputs(a, b, mask, size, channels);
    if (size < SSIM_WINDOW) {
      throw new IllegalArgumentException("SSIM needs images of at least " + SSIM_WINDOW + "x" + SSIM_WINDOW
          + " pixels (its Gaussian window), got " + size + "x" + size);
    }
    double c1 = SSIM_K1 * SSIM_K1;
    double c2 = SSIM_K2 * SSIM_K2;
    int valid = size - SSIM_WINDOW + 1;
    int half = SSIM_WINDOW / 2;
    double sum = 0;
    double weight = 0;
    for (int c = 0; c < channels; c++) {
      double[] x = unitChannel(a, c, size, channels);
      double[] y = unitChannel(b, c, size, channels);
      double[] muX = filterValid(x, size);
      double[] muY = filterValid(y, size);
      double[] xx = filterValid(product(x, x), size);
      double[] yy = filterValid(product(y, y), size);
      double[] xy = filterValid(product(x, y), size);
      for (int i = 0; i < valid; i++) {
        for (int j = 0; j < valid; j++) {
          double w = mask == null ? 1 : mask[(i + half) * size + j + half];
          if (w == 0) {
            continue;
          }
          int k = i * valid + j;
          double mx = muX[k];
          double my = muY[k];
          double varX = xx[k] - mx * mx;
          double varY = yy[k] - my * my;
          double cov = xy[k] - mx * my;
          double s = (2 * mx * my + c1) * (2 * cov + c2) / ((mx * mx + my * my + c1) * (varX + varY + c2));
          sum += w * s;
          weight += w;
        }
      }
    }
    checkWeight(weight);
    return sum / weight;
  }

  /** Normalised 1-D Gaussian; the 2-D window is its outer product, which is separable. */
  private static double[] gaussianWindow(int size, double sigma) {
    double[] g = new double[size];
    double total = 0;
    for (int i = 0; i < size; i++) {
      double d = i - (size - 1) / 2.0;
      g[i] = Math.exp(-d * d / (2 * sigma * sigma));
      total += g[i];
    }
    for (int i = 0; i < size; i++) {
      g[i] /= total;
    }
    return g;
  }

  /** One channel as [0, 1] doubles. */
  private static double[] unitChannel(float[] image, int channel, int size, int channels) {
    double[] out = new double[size * size];
    for (int p = 0; p < out.length; p++) {
      out[p] = (image[p * channels + channel] + 1.0) / 2;
    }
    return out;
  }

  private static double[] product(double[] x, double[] y) {
    double[] out = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      out[i] = x[i] * y[i];
    }
    return out;
  }

  /** Gaussian filter keeping only positions where the whole window fits: rows, then columns. */
  private static double[] filterValid(double[] image, int size) {
    int valid = size - SSIM_WINDOW + 1;
    double[] rows = new double[size * valid];
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < valid; x++) {
        double s = 0;
        for (int k = 0; k < SSIM_WINDOW; k++) {
          s += GAUSSIAN[k] * image[y * size + x + k];
        }
        rows[y * valid + x] = s;
      }
    }
    double[] out = new double[valid * valid];
    for (int y = 0; y < valid; y++) {
      for (int x = 0; x < valid; x++) {
        double s = 0;
        for (int k = 0; k < SSIM_WINDOW; k++) {
          s += GAUSSIAN[k] * rows[(y + k) * valid + x];
        }
        out[y * valid + x] = s;
      }
    }
    return out;
  }

  private static void checkInputs(float[] a, float[] b, float[] mask, int size, int channels) {
    if (size < 1 || channels < 1) {
      throw new IllegalArgumentException("size and channels must be positive, got " + size + ", " + channels);
    }
    int values = size * size * channels;
    if (a.length != values || b.length != values) {
      throw new IllegalArgumentException("images have " + a.length + " and " + b.length + " values, expected "
          + size + "x" + size + "x" + channels + " = " + values);
    }
    if (mask != null && mask.length != size * size) {
      throw new IllegalArgumentException("mask has " + mask.length + " values, expected one per pixel: " + size
          + "x" + size + " = " + size * size);
    }
    if (mask != null) {
      for (float w : mask) {
        if (!(w >= 0 && w <= 1)) {
          throw new IllegalArgumentException("mask values must lie in [0, 1], found " + w);
        }
      }
    }
  }

  private static void checkWeight(double weight) {
    if (!(weight > 0)) {
      throw new IllegalArgumentException("the mask selects no pixels");
    }
  }
}
