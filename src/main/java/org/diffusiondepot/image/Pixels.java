package org.diffusiondepot.image;

import java.awt.image.BufferedImage;

/** Conversions between model tensors (row-major HWC floats in [-1, 1]) and 8-bit images. */
public final class Pixels {
  private Pixels() {}

  /** One image of a batch as a BufferedImage (values clamped, rounded to 8 bits). */
  public static BufferedImage toImage(float[] batch, int index, int size, int channels) {
    BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
    int base = index * size * size * channels;
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        int p = base + (y * size + x) * channels;
        int r = toByte(batch[p]);
        int g = channels == 3 ? toByte(batch[p + 1]) : r;
        int b = channels == 3 ? toByte(batch[p + 2]) : r;
        image.setRGB(x, y, (r << 16) | (g << 8) | b);
      }
    }
    return image;
  }

  /** An image of exactly size x size pixels to [-1, 1] floats, HWC. */
  public static float[] fromImage(BufferedImage image, int channels) {
    int w = image.getWidth();
    int h = image.getHeight();
    float[] out = new float[w * h * channels];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int rgb = image.getRGB(x, y);
        int p = (y * w + x) * channels;
        float r = fromByte((rgb >> 16) & 0xff);
        float g = fromByte((rgb >> 8) & 0xff);
        float b = fromByte(rgb & 0xff);
        if (channels == 3) {
          out[p] = r;
          out[p + 1] = g;
          out[p + 2] = b;
        } else {
          out[p] = 0.299f * r + 0.587f * g + 0.114f * b;
        }
      }
    }
    return out;
  }

  public static int toByte(float v) {
    return (int) Math.round(Math.max(0.0, Math.min(1.0, (v + 1.0) / 2.0)) * 255.0);
  }

  public static float fromByte(int v) {
    return v / 127.5f - 1f;
  }
}
