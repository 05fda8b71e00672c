package org.diffusiondepot.eval;

/**
 * Laplacian pyramid of one HWC image, as Karras et al.'s SWD code builds it (matching OpenCV's
 * pyrDown/pyrUp): blur with the 5x5 binomial kernel [1 4 6 4 1]^2 / 256 and keep every second
 * pixel; each level but the last is the image minus the upsampled next level (a band-pass), the
 * last is the small blurred image itself. Borders mirror without repeating the edge pixel
 * (scipy's "mirror", OpenCV's BORDER_REFLECT_101).
 */
final class LaplacianPyramid {
  private static final float[] BINOMIAL = {1 / 16f, 4 / 16f, 6 / 16f, 4 / 16f, 1 / 16f};

  private LaplacianPyramid() {}

  /**
   * Levels of sides size, size / 2, ... (as many as {@code sides} lists); level i is
   * sides[i] x sides[i] x channels.
   */
  static float[][] build(float[] image, int size, int channels, int[] sides) {
    float[][] levels = new float[sides.length][];
    float[] current = image;
    int side = size;
    for (int i = 0; i < sides.length - 1; i++) {
      float[] down = down(current, side, channels);
      int small = (side + 1) / 2;
      float[] up = up(down, small, channels, side);
      float[] band = new float[current.length];
      for (int k = 0; k < band.length; k++) {
        band[k] = current[k] - up[k];
      }
      levels[i] = band;
      current = down;
      side = small;
    }
    levels[sides.length - 1] = current;
    return levels;
  }

  /** Blur, then keep even rows and columns. */
  static float[] down(float[] image, int side, int channels) {
    float[] blurred = blur(image, side, channels, 1f);
    int small = (side + 1) / 2;
    float[] out = new float[small * small * channels];
    for (int y = 0; y < small; y++) {
      for (int x = 0; x < small; x++) {
        System.arraycopy(blurred, ((2 * y) * side + 2 * x) * channels, out, (y * small + x) * channels, channels);
      }
    }
    return out;
  }

  /** Zeros between pixels, then blur with four times the kernel; cropped to {@code target}. */
  static float[] up(float[] image, int side, int channels, int target) {
    int big = 2 * side;
    float[] spread = new float[big * big * channels];
    for (int y = 0; y < side; y++) {
      for (int x = 0; x < side; x++) {
        System.arraycopy(image, (y * side + x) * channels, spread, ((2 * y) * big + 2 * x) * channels, channels);
      }
    }
    float[] blurred = blur(spread, big, channels, 4f);
    if (target == big) {
      return blurred;
    }
    float[] out = new float[target * target * channels];
    for (int y = 0; y < target; y++) {
      System.arraycopy(blurred, y * big * channels, out, y * target * channels, target * channels);
    }
    return out;
  }

  /** Separable 5x5 binomial blur, times {@code gain}, with mirrored borders. */
  private static float[] blur(float[] image, int side, int channels, float gain) {
    float[] rows = new float[image.length];
    for (int y = 0; y < side; y++) {
      for (int x = 0; x < side; x++) {
        for (int c = 0; c < channels; c++) {
          float s = 0;
          for (int k = -2; k <= 2; k++) {
            s += BINOMIAL[k + 2] * image[(y * side + mirror(x + k, side)) * channels + c];
          }
          rows[(y * side + x) * channels + c] = s;
        }
      }
    }
    float[] out = new float[image.length];
    for (int y = 0; y < side; y++) {
      for (int x = 0; x < side; x++) {
        for (int c = 0; c < channels; c++) {
          float s = 0;
          for (int k = -2; k <= 2; k++) {
            s += BINOMIAL[k + 2] * rows[(mirror(y + k, side) * side + x) * channels + c];
          }
          out[(y * side + x) * channels + c] = gain * s;
        }
      }
    }
    return out;
  }

  /** Whole-sample symmetric index: -1 -> 1, side -> side - 2. */
  private static int mirror(int i, int side) {
    if (side == 1) {
      return 0;
    }
    int period = 2 * (side - 1);
    int m = Math.floorMod(i, period);
    return m < side ? m : period - m;
  }
}
