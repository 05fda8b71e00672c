package org.diffusiondepot.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.diffusiondepot.data.BuiltinShapes;
import org.diffusiondepot.data.DataException;
import org.diffusiondepot.image.Pixels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Folder against folder: two parts of one data set are closer than the data set and a noisy copy. */
class FolderComparisonTest {
  static final int SIZE = 32;
  static final int COUNT = 48;

  @TempDir Path dir;

  @Test
  void sameDistributionScoresLowerThanAShiftedOne() throws IOException {
    BuiltinShapes shapes = new BuiltinShapes(SIZE, 3, 3 * COUNT, 5);
    Path a = write(shapes, 0, 0f, "a");
    Path b = write(shapes, COUNT, 0f, "b");
    Path noisy = write(shapes, 2 * COUNT, 0.3f, "noisy");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    MetricsReport same = FolderComparison.run(a, b, SIZE, 1000, null, dir.resolve("same.json"), out);
    MetricsReport shifted = FolderComparison.run(a, noisy, SIZE, 1000, null, dir.resolve("shifted.json"), out);
    assertTrue(same.value("swd") < shifted.value("swd") / 2,
        "same: " + same.value("swd") + ", shifted: " + shifted.value("swd"));
    assertEquals(COUNT, ((Number) same.entries().get("swd_samples")).intValue());
    String printed = bytes.toString(StandardCharsets.UTF_8);
    assertTrue(printed.contains(COUNT + " images vs " + COUNT + " reference images"), printed);
    assertTrue(printed.contains("FID/KID skipped"), printed);
    assertTrue(Files.readString(dir.resolve("shifted.json")).contains("\"swd\""));
  }

  @Test
  void aMissingFolderIsAClearError() {
    DataException e = assertThrows(DataException.class, () -> FolderComparison.run(dir.resolve("none"), dir, SIZE,
        10, null, dir.resolve("m.json"), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)));
    assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
  }

  @Test
  void fidAndKidNeedTwoImagesPerFolder() throws IOException {
    Path single = Files.createDirectories(dir.resolve("single"));
    ImageIO.write(new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_INT_RGB), "png", single.resolve("only.png").toFile());
    DataException e = assertThrows(DataException.class, () -> FolderComparison.run(single, single, SIZE, 10,
        dir.resolve("inception.pb"), dir.resolve("m.json"), new PrintStream(new ByteArrayOutputStream(), true,
            StandardCharsets.UTF_8)));
    assertTrue(e.getMessage().startsWith("FID and KID need at least 2 images from each folder, got 1"),
        e.getMessage());
  }

  /** Images from..from+COUNT, with Gaussian pixel noise of the given std (SWD normalises away global shifts). */
  private Path write(BuiltinShapes shapes, int from, float noise, String name) throws IOException {
    Path folder = Files.createDirectories(dir.resolve(name));
    java.util.Random random = new java.util.Random(from);
    for (int i = 0; i < COUNT; i++) {
      float[] pixels = shapes.get(from + i).pixels().clone();
      for (int k = 0; k < pixels.length; k++) {
        pixels[k] = Math.max(-1f, Math.min(1f, pixels[k] + noise * (float) random.nextGaussian()));
      }
      ImageIO.write(Pixels.toImage(pixels, 0, SIZE, 3), "png", folder.resolve(String.format("%03d.png", i)).toFile());
    }
    return folder;
  }
}
