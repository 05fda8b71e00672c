package org.diffusiondepot.data;

/**
 * {@code size} images stacked as one row-major [size, resolution, resolution, channels] array in
 * [-1, 1], with their labels (-1 for unlabeled data).
 */
public record Batch(float[] images, int[] labels, int size, int resolution, int channels) {
  public Batch {
    if (labels.length != size || images.length != (long) size * resolution * resolution * channels) {
      throw new IllegalArgumentException("batch of " + size + " images of " + resolution + "x" + resolution + "x"
          + channels + " cannot hold " + images.length + " values and " + labels.length + " labels");
    }
  }
}
