package org.diffusiondepot.eval;

/**
 * Simple hole fillers to compare an inpainting model against: the mean colour of the known
 * pixels, and a smooth fill that repeatedly averages each hole pixel with its four neighbours
 * while the known pixels stay fixed (a discrete harmonic interpolation: "blur fill").
 */
public final class InpaintingBaselines {
  private InpaintingBaselines() {}

  /** Each hole pixel (mask > 0.5) takes the mean of the known pixels of its channel. */
  public static float[] meanFill(float[] image, float[] mask, int size, int channels) {
    float[] out = image.clone();
    for (int c = 0; c < channels; c++) {
      double sum = 0;
      int known = 0;
      for (int p = 0; p < size * size; p++) {
        if (mask[p] <= 0.5f) {
          sum += image[p * channels + c];
          known++;
        }
      }
      float mean = known == 0 ? 0f : (float) (sum / known);
      for (int p = 0; p < size * size; p++) {
        if (mask[p] > 0.5f) {
          out[p * channels + c] = mean;
        }
      }
    }
    return out;
  }

  /** Mean fill, then {@code iterations} Jacobi sweeps of 4-neighbour averaging inside the hole. */
  public static float[] blurFill(float[] image, float[] mask, int size, int channels, int iterations) {
    float[] current = meanFill(image, mask, size, channels);
    float[] next = current.clone();
    for (int it = 0; it < iterations; it++) {
      for (int y = 0; y < size; y++) {
        for (int x = 0; x < size; x++) {
          int p = y * size + x;
          if (mask[p] <= 0.5f) {
            continue;
          }
          for (int c = 0; c < channels; c++) {
            double sum = 0;
            int n = 0;
            if (x > 0) { sum += current[(p - 1) * channels + c]; n++; }
            if (x < size - 1) { sum += current[(p + 1) * channels + c]; n++; }
            if (y > 0) { sum += current[(p - size) * channels + c]; n++; }
            if (y < size - 1) { sum += current[(p + size) * channels + c]; n++; }
            next[p * channels + c] = (float) (sum / n);
          }
        }
      }
      float[] swap = current;
      current = next;
      next = swap;
    }
    return current;
  }
}
