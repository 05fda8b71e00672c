package org.diffusiondepot.data;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import javax.imageio.ImageIO;

/** Small images and in-memory data sets for the data package's tests. */
public final class TestImages {
  private TestImages() {}

  public static BufferedImage solid(int width, int height, Color color) {
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setColor(color);
    g.fillRect(0, 0, width, height);
    g.dispose();
    return img;
  }

  /** Writes the image in the format named by the file's extension, creating parent folders. */
  public static Path write(Path file, BufferedImage img) {
    try {
      Files.createDirectories(file.getParent());
      String name = file.getFileName().toString();
      String format = name.substring(name.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
      if (!ImageIO.write(img, format.equals("jpeg") ? "jpg" : format, file.toFile())) {
        throw new IllegalStateException("no writer for " + file);
      }
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static Path writeSolid(Path file, Color color) {
    return write(file, solid(8, 8, color));
  }

  /** Random bytes named x.png, a PNG cut in half and an empty .jpg, in {@code dir}. */
  public static List<Path> writeCorrupt(Path dir) {
    try {
      Files.createDirectories(dir);
      byte[] noise = new byte[2000];
      new Random(1).nextBytes(noise);
      Path random = Files.write(dir.resolve("x.png"), noise);
      BufferedImage busy = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
      Random r = new Random(2);
      for (int y = 0; y < 64; y++) {
        for (int x = 0; x < 64; x++) {
          busy.setRGB(x, y, r.nextInt());
        }
      }
      Path whole = write(dir.resolve("whole.tmp.png"), busy);
      byte[] bytes = Files.readAllBytes(whole);
      Files.delete(whole);
      Path truncated = Files.write(dir.resolve("truncated.png"), Arrays.copyOf(bytes, bytes.length / 2));
      Path empty = Files.write(dir.resolve("empty.jpg"), new byte[0]);
      return List.of(random, truncated, empty);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An in-memory data set of given pixel arrays; indices in {@code broken} throw IOException. */
  public static ImageDataset memory(int resolution, int channels, List<float[]> images, Set<Integer> broken) {
    return new ImageDataset() {
      @Override
      public int size() {
        return images.size();
      }

      @Override
      public int resolution() {
        return resolution;
      }

      @Override
      public int channels() {
        return channels;
      }

      @Override
      public List<String> classNames() {
        return List.of();
      }

      @Override
      public Example get(int index) throws IOException {
        if (broken.contains(index)) {
          throw new IOException("broken on purpose");
        }
        return new Example(images.get(index).clone(), -1);
      }

      @Override
      public String describe(int index) {
        return "memory#" + index;
      }
    };
  }
}
