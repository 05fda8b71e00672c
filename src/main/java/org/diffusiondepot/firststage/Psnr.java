package org.diffusiondepot.firststage;

/**
 * Peak signal-to-noise ratio of reconstructions, images in [-1, 1] (peak-to-peak 2, so
 * PSNR = 10 log10(4 / MSE)); the reconstruction is clipped to [-1, 1] first, as it would be
 * when saved as an image.
 */
public final class Psnr {
  /** Cap for a perfect reconstruction, so means stay finite. */
  static final double MAX_DB = 100;

  private Psnr() {}

  /** PSNR in dB of each of the {@code count} images stacked in {@code reference}. */
  public static double[] perImage(float[] reference, float[] reconstruction, int count) {
    if (reference.length != reconstruction.length || count <= 0 || reference.length % count != 0) {
      throw new IllegalArgumentException("cannot compare " + reference.length + " and " + reconstruction.length
          + " values as " + count + " images");
    }
    int values = reference.length / count;
    double[] out = new double[count];
    for (int i = 0; i < count; i++) {
      double sum = 0;
      for (int j = i * values; j < (i + 1) * values; j++) {
        double d = reference[j] - Math.max(-1f, Math.min(1f, reconstruction[j]));
        sum += d * d;
      }
      double mse = sum / values;
      out[i] = mse == 0 ? MAX_DB : Math.min(MAX_DB, 10 * Math.log10(4.0 / mse));
    }
    return out;
  }
}
