package org.diffusiondepot.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** PSNR and SSIM against values derived by hand from their definitions. */
class ImageMetricsTest {
  private static final double C1 = 0.01 * 0.01;

  /** A random image whose [0, 1] values lie in [lo, hi], as [-1, 1] floats. */
  private static float[] randomImage(int size, int channels, double lo, double hi, long seed) {
    Random r = new Random(seed);
    float[] out = new float[size * size * channels];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) (2 * (lo + (hi - lo) * r.nextDouble()) - 1);
    }
    return out;
  }

  /** Adds {@code delta} on the [0, 1] scale (2 delta on [-1, 1]). */
  private static float[] shifted(float[] image, double delta) {
    float[] out = image.clone();
    for (int i = 0; i < out.length; i++) {
      out[i] += (float) (2 * delta);
    }
    return out;
  }

  @Test
  void psnrOfAnOffsetOfOneTenthIsTwentyDecibels() {
    // MSE = 0.1^2 on [0, 1], so PSNR = 10 log10(1 / 0.01) = 20 dB.
    float[] a = randomImage(16, 3, 0, 0.9, 1);
    assertEquals(20.0, ImageMetrics.psnr(a, shifted(a, 0.1), null, 16, 3), 1e-4);
  }

  @Test
  void psnrOfIdenticalImagesIsInfinite() {
    float[] a = randomImage(8, 1, 0, 1, 2);
    assertEquals(Double.POSITIVE_INFINITY, ImageMetrics.psnr(a, a.clone(), null, 8, 1));
  }

  @Test
  void maskedPsnrCountsOnlyMaskedPixels() {
    int size = 8;
    float[] a = randomImage(size, 3, 0, 0.5, 3);
    float[] b = a.clone();
    float[] mask = new float[size * size];
    int inside = 0;
    for (int p = 0; p < size * size; p++) {
      boolean in = p % size < 3;
      mask[p] = in ? 1 : 0;
      inside += in ? 1 : 0;
      for (int c = 0; c < 3; c++) {
        b[p * 3 + c] += (float) (2 * (in ? 0.1 : 0.4));
      }
    }
    assertEquals(20.0, ImageMetrics.psnr(a, b, mask, size, 3), 1e-4);
    double f = inside / (double) (size * size);
    double mse = f * 0.01 + (1 - f) * 0.16;
    assertEquals(10 * Math.log10(1 / mse), ImageMetrics.psnr(a, b, null, size, 3), 1e-4);
  }

  @Test
  void ssimOfIdenticalImagesIsOne() {
    float[] a = randomImage(24, 3, 0, 1, 4);
    assertEquals(1.0, ImageMetrics.ssim(a, a.clone(), null, 24, 3), 1e-12);
  }

  @Test
  void ssimOfConstantImagesIsTheLuminanceTerm() {
    // Zero variances: SSIM = (2 mu_a mu_b + C1)(C2) / ((mu_a^2 + mu_b^2 + C1)(C2)) at every window.
    float[] a = new float[16 * 16];
    float[] b = new float[16 * 16];
    java.util.Arrays.fill(a, 0f);     // 0.5 on [0, 1]
    java.util.Arrays.fill(b, 0.2f);   // 0.6
    double expected = (2 * 0.5 * 0.6 + C1) / (0.25 + 0.36 + C1);
    assertEquals(expected, ImageMetrics.ssim(a, b, null, 16, 1), 1e-6);
  }

  @Test
  void ssimOfAShiftedCopyDependsOnlyOnTheWindowMeans() {
    // b = a + delta: sigma_b = sigma_a and sigma_ab = sigma_a^2, so the contrast-structure factor is
    // (2 s^2 + C2) / (2 s^2 + C2) = 1 and SSIM = (2 mu (mu + delta) + C1) / (mu^2 + (mu + delta)^2 + C1)
    // per window, mu being the window's Gaussian-weighted mean of a.
    int size = 20;
    double delta = 0.1;
    float[] a = randomImage(size, 1, 0.1, 0.8, 5);
    double[][] w = gaussian2d();
    int valid = size - 10;
    double sum = 0;
    for (int y = 0; y < valid; y++) {
      for (int x = 0; x < valid; x++) {
        double mu = 0;
        for (int i = 0; i < 11; i++) {
          for (int j = 0; j < 11; j++) {
            mu += w[i][j] * (a[(y + i) * size + x + j] + 1.0) / 2;
          }
        }
        double nu = mu + delta;
        sum += (2 * mu * nu + C1) / (mu * mu + nu * nu + C1);
      }
    }
    assertEquals(sum / (valid * valid), ImageMetrics.ssim(a, shifted(a, delta), null, size, 1), 1e-6);
  }

  @Test
  void ssimMatchesADirectEvaluationOfTheFormula() {
    int size = 14;
    float[] a = randomImage(size, 3, 0, 1, 6);
    float[] b = randomImage(size, 3, 0, 1, 7);
    for (int i = 0; i < a.length; i++) {
      b[i] = 0.6f * a[i] + 0.4f * b[i];
    }
    assertEquals(directSsim(a, b, size, 3), ImageMetrics.ssim(a, b, null, size, 3), 1e-10);
  }

  @Test
  void maskedSsimAveragesOnlyWindowsCentredOnMaskedPixels() {
    int size = 24;
    float[] a = randomImage(size, 1, 0, 1, 8);
    float[] b = a.clone();
    for (int y = 0; y < size; y++) {
      for (int x = 12; x < size; x++) {
        b[y * size + x] = -b[y * size + x];
      }
    }
    // Centres at x <= 6 see only columns 0..11, where the images agree.
    float[] mask = new float[size * size];
    for (int y = 0; y < size; y++) {
      for (int x = 0; x <= 6; x++) {
        mask[y * size + x] = 1;
      }
    }
    assertEquals(1.0, ImageMetrics.ssim(a, b, mask, size, 1), 1e-12);
    assertTrue(ImageMetrics.ssim(a, b, null, size, 1) < 0.9);
  }

  @Test
  void rejectsWhatItCannotMeasure() {
    float[] small = new float[10 * 10];
    assertThrows(IllegalArgumentException.class, () -> ImageMetrics.ssim(small, small, null, 10, 1));
    float[] a = new float[16];
    assertThrows(IllegalArgumentException.class, () -> ImageMetrics.psnr(a, a, new float[16], 4, 1));
    assertThrows(IllegalArgumentException.class, () -> ImageMetrics.psnr(a, new float[15], null, 4, 1));
  }

  private static double[][] gaussian2d() {
    double[] g = new double[11];
    double total = 0;
    for (int i = 0; i < 11; i++) {
      g[i] = Math.exp(-(i - 5) * (i - 5) / (2 * 1.5 * 1.5));
      total += g[i];
    }
    double[][] w = new double[11][11];
    for (int i = 0; i < 11; i++) {
      for (int j = 0; j < 11; j++) {
        w[i][j] = g[i] * g[j] / (total * total);
      }
    }
    return w;
  }

  /** Wang et al.'s formula evaluated window by window with 2-D weights, channel maps averaged. */
  private static double directSsim(float[] a, float[] b, int size, int channels) {
    double[][] w = gaussian2d();
    double c2 = 0.03 * 0.03;
    int valid = size - 10;
    double total = 0;
    for (int c = 0; c < channels; c++) {
      for (int y = 0; y < valid; y++) {
        for (int x = 0; x < valid; x++) {
          double ma = 0;
          double mb = 0;
          for (int i = 0; i < 11; i++) {
            for (int j = 0; j < 11; j++) {
              int p = ((y + i) * size + x + j) * channels + c;
              ma += w[i][j] * (a[p] + 1.0) / 2;
              mb += w[i][j] * (b[p] + 1.0) / 2;
            }
          }
          double va = 0;
          double vb = 0;
          double cov = 0;
          for (int i = 0; i < 11; i++) {
            for (int j = 0; j < 11; j++) {
              int p = ((y + i) * size + x + j) * channels + c;
              double da = (a[p] + 1.0) / 2 - ma;
              double db = (b[p] + 1.0) / 2 - mb;
              va += w[i][j] * da * da;
              vb += w[i][j] * db * db;
              cov += w[i][j] * da * db;
            }
          }
          total += (2 * ma * mb + C1) * (2 * cov + c2) / ((ma * ma + mb * mb + C1) * (va + vb + c2));
        }
      }
    }
    return total / (channels * valid * valid);
  }
}
