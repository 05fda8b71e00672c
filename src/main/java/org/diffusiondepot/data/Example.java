package org.diffusiondepot.data;

/**
 * One decoded image: row-major HWC pixels in [-1, 1], and its class index, or -1 when the data set
 * is unlabeled.
 */
public record Example(float[] pixels, int label) {
  public Example {
    if (pixels == null) {
      throw new IllegalArgumentException("pixels must not be null");
    }
    if (label < -1) {
      throw new IllegalArgumentException("label must be a class index or -1, got " + label);
    }
  }
}
