package org.diffusiondepot.serve;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/** Images to PNG bytes, for answers served from memory. */
final class Png {
  private Png() {}

  static byte[] encode(BufferedImage image) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      if (!ImageIO.write(image, "png", bytes)) {
        throw new IllegalStateException("no PNG writer available");
      }
    } catch (IOException e) {
      // writing to memory does not fail for I/O reasons
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }
}
