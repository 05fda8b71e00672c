package org.diffusiondepot.events;

import com.google.protobuf.ByteString;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import javax.imageio.ImageIO;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.tensorflow.proto.Summary;

/** PNG encoding of a {@link BufferedImage} into a {@link Summary.Image}. */
final class SummaryImages {
  // Summary.Image colorspace codes.
  static final int GRAY = 1;
  static final int RGB = 3;
  static final int RGBA = 4;

  private SummaryImages() {}

  static Summary.Image png(BufferedImage image) throws IOException {
    int colorspace;
    BufferedImage pixels;
    // Normalize to a layout whose PNG colour type matches the colorspace we claim; indexed,
    // 16-bit and custom images become 8-bit RGB(A).
    if (image.getType() == BufferedImage.TYPE_BYTE_GRAY) {
      colorspace = GRAY;
      pixels = image;
    } else if (image.getColorModel().hasAlpha()) {
      colorspace = RGBA;
      pixels = image.getType() == BufferedImage.TYPE_INT_ARGB
          || image.getType() == BufferedImage.TYPE_4BYTE_ABGR
          ? image : convert(image, BufferedImage.TYPE_INT_ARGB);
    } else {
      colorspace = RGB;
      pixels = image.getType() == BufferedImage.TYPE_INT_RGB
          || image.getType() == BufferedImage.TYPE_3BYTE_BGR
          || image.getType() == BufferedImage.TYPE_INT_BGR
          ? image : convert(image, BufferedImage.TYPE_INT_RGB);
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    // An in-memory stream: ImageIO's default stream would go through a temporary file.
    try (ImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
      if (!ImageIO.write(pixels, "png", out)) {
        throw new IOException("no PNG writer for image type " + pixels.getType());
      }
    }
    return Summary.Image.newBuilder()
        .setHeight(image.getHeight())
        .setWidth(image.getWidth())
        .setColorspace(colorspace)
        .setEncodedImageString(ByteString.copyFrom(bytes.toByteArray()))
        .build();
  }

  private static BufferedImage convert(BufferedImage image, int type) {
    BufferedImage copy = new BufferedImage(image.getWidth(), image.getHeight(), type);
    Graphics2D g = copy.createGraphics();
    try {
      g.drawImage(image, 0, 0, null);
    } finally {
      g.dispose();
    }
    return copy;
  }
}
