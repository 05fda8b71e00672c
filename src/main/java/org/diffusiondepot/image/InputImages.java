package org.diffusiondepot.image;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import javax.imageio.ImageIO;
import org.diffusiondepot.runtime.OptionException;

/**
 * User-supplied inputs for conditional sampling, read and brought to the model's size. A missing,
 * unreadable or unsuitable input is an {@link OptionException} that names the file.
 */
public final class InputImages {
  private InputImages() {}

  /** An image to complete and its mask (1 = fill), both size x size. */
  public record Inpainting(float[] image, float[] mask) {}

  public static Inpainting inpainting(Path imageFile, Path maskFile, int size, int channels, Consumer<String> notes) {
    if (imageFile == null || maskFile == null) {
      throw new OptionException("inpainting needs both --image IN.png and --mask MASK.png");
    }
    BufferedImage image = read(imageFile);
    BufferedImage mask = read(maskFile);
    if (mask.getWidth() != image.getWidth() || mask.getHeight() != image.getHeight()) {
      throw new OptionException("the mask " + maskFile + " is " + mask.getWidth() + "x" + mask.getHeight()
          + " but the image " + imageFile + " is " + image.getWidth() + "x" + image.getHeight()
          + "; they must have the same size");
    }
    if (image.getWidth() != size || image.getHeight() != size) {
      notes.accept("note: resizing " + imageFile + " and its mask from " + image.getWidth() + "x" + image.getHeight()
          + " to the model's " + size + "x" + size);
      image = resize(image, size, true);
    }
    float[] m = maskAt(mask, size);
    int holes = 0;
    for (float v : m) {
      holes += v > 0.5f ? 1 : 0;
    }
    if (holes == 0) {
      throw new OptionException("the mask " + maskFile + " is empty: paint the region to fill in white");
    }
    return new Inpainting(Pixels.fromImage(image, channels), m);
  }

  /** A low-resolution image for super-resolution, resized (with a note) when it is not size x size. */
  public static float[] lowRes(Path file, int size, int channels, Consumer<String> notes) {
    if (file == null) {
      throw new OptionException("super-resolution needs --low-res IN.png (" + size + "x" + size + ")");
    }
    BufferedImage image = read(file);
    if (image.getWidth() != size || image.getHeight() != size) {
      notes.accept("note: resizing " + file + " from " + image.getWidth() + "x" + image.getHeight() + " to the model's "
          + size + "x" + size + " low-resolution input");
      image = resize(image, size, true);
    }
    return Pixels.fromImage(image, channels);
  }

  /**
   * The mask at size x size: a pixel is to be filled if any source pixel it covers is white
   * (luminance >= 0.5), so thin strokes survive downscaling and nothing the user painted is kept.
   */
  static float[] maskAt(BufferedImage mask, int size) {
    int w = mask.getWidth();
    int h = mask.getHeight();
    float[] out = new float[size * size];
    for (int y = 0; y < size; y++) {
      int y0 = (int) ((long) y * h / size);
      int y1 = Math.max(y0 + 1, (int) ((long) (y + 1) * h / size));
      for (int x = 0; x < size; x++) {
        int x0 = (int) ((long) x * w / size);
        int x1 = Math.max(x0 + 1, (int) ((long) (x + 1) * w / size));
        boolean fill = false;
        for (int sy = y0; sy < y1 && !fill; sy++) {
          for (int sx = x0; sx < x1 && !fill; sx++) {
            int rgb = mask.getRGB(sx, sy);
            double luminance = (0.299 * ((rgb >> 16) & 0xff) + 0.587 * ((rgb >> 8) & 0xff) + 0.114 * (rgb & 0xff)) / 255.0;
            fill = luminance >= 0.5;
          }
        }
        out[y * size + x] = fill ? 1f : 0f;
      }
    }
    return out;
  }

  /** An image file the user named; every way it can be unusable is an {@link OptionException} naming it. */
  public static BufferedImage read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new OptionException("no such file: " + file);
    }
    if (!Files.isReadable(file)) {
      throw new OptionException("cannot read " + file + " (permission denied)");
    }
    BufferedImage image;
    try {
      image = ImageIO.read(file.toFile());
    } catch (IOException e) {
      throw new OptionException(file + " is not a readable PNG or JPEG image: " + e.getMessage(), e);
    }
    if (image == null) {
      throw new OptionException(file + " is not a PNG or JPEG image");
    }
    return image;
  }

  /** Square resize: smooth (halving steps, then bilinear) for images, nearest for masks. */
  public static BufferedImage resize(BufferedImage image, int size, boolean smooth) {
    BufferedImage current = image;
    if (smooth) {
      while (current.getWidth() >= 2 * size && current.getHeight() >= 2 * size) {
        current = draw(current, current.getWidth() / 2, current.getHeight() / 2, true);
      }
    }
    return draw(current, size, size, smooth);
  }

  private static BufferedImage draw(BufferedImage image, int width, int height, boolean smooth) {
    BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, smooth
        ? RenderingHints.VALUE_INTERPOLATION_BILINEAR : RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
    g.drawImage(image, 0, 0, width, height, null);
    g.dispose();
    return out;
  }
}
