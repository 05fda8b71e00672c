package org.diffusiondepot.serve;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/** Small images for uploads, and reading the server's PNGs back. */
final class TestPngs {
  private TestPngs() {}

  /** A side x side image with a different colour at every pixel, so that any change shows. */
  static BufferedImage pattern(int side) {
    BufferedImage image = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < side; y++) {
      for (int x = 0; x < side; x++) {
        image.setRGB(x, y, ((x * 29 + 40) % 256) << 16 | ((y * 31 + 20) % 256) << 8 | ((x * y * 7 + 90) % 256));
      }
    }
    return image;
  }

  /** A mask: white (fill) inside the rectangle [x0, x1) x [y0, y1), black elsewhere. */
  static BufferedImage mask(int side, int x0, int y0, int x1, int y1) {
    BufferedImage mask = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
    for (int y = y0; y < y1; y++) {
      for (int x = x0; x < x1; x++) {
        mask.setRGB(x, y, 0xffffff);
      }
    }
    return mask;
  }

  static byte[] png(BufferedImage image) {
    return Png.encode(image);
  }

  static BufferedImage read(byte[] png) {
    try {
      BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
      if (image == null) {
        throw new AssertionError("not an image: " + png.length + " bytes");
      }
      return image;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every pixel equal. */
  static boolean samePixels(BufferedImage a, BufferedImage b) {
    if (a.getWidth() != b.getWidth() || a.getHeight() != b.getHeight()) {
      return false;
    }
    for (int y = 0; y < a.getHeight(); y++) {
      for (int x = 0; x < a.getWidth(); x++) {
        if ((a.getRGB(x, y) & 0xffffff) != (b.getRGB(x, y) & 0xffffff)) {
          return false;
        }
      }
    }
    return true;
  }
}
