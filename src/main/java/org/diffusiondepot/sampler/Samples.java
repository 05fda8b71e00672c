package org.diffusiondepot.sampler;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import org.diffusiondepot.image.ImageGrid;
import org.diffusiondepot.image.Pixels;

/**
 * Generated images, row-major NHWC floats in [-1, 1].
 *
 * @param labels the class of each sample, or null
 */
public record Samples(float[] pixels, int count, int size, int channels, int[] labels) {

  public List<BufferedImage> images() {
    List<BufferedImage> images = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      images.add(Pixels.toImage(pixels, i, size, channels));
    }
    return images;
  }

  /** One sample as floats. */
  public float[] sample(int index) {
    int n = size * size * channels;
    float[] one = new float[n];
    System.arraycopy(pixels, index * n, one, 0, n);
    return one;
  }

  public BufferedImage grid(int columns) {
    return ImageGrid.of(pixels, count, size, channels, columns);
  }
}
