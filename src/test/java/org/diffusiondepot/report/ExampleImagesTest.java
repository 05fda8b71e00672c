package org.diffusiondepot.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.diffusiondepot.config.ConfigLoader;
import org.diffusiondepot.proto.ExperimentConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which images stand for the run's data, and the note when they are not its own. */
class ExampleImagesTest {
  static ExperimentConfig config(String dataset) {
    String text = ("name: \"x\" task: CLASS_CONDITIONAL classes { num_classes: 5 }\n" + TinyModels.COMMON)
        .replace("dataset: \"builtin\" resolution: 8", "dataset: \"" + dataset + "\" resolution: 16");
    return ConfigLoader.parse(text, "test");
  }

  @Test
  void anUnrecordedFolderFallsBackToBuiltinShapesWithANote() {
    ExampleImages images = ExampleImages.open(config("LHQ"), 16, 3, null);
    assertNotNull(images.note());
    assertTrue(images.note().contains("LHQ") && images.note().contains("16x16"), images.note());
    assertEquals("built-in shapes, 16x16", images.description());
    assertEquals(16, images.training(2).resolution());
    assertEquals(2, images.validation(2).size());
  }

  @Test
  void builtinDataIsTheRunsOwn() {
    // Five classes in the config do not stop the three built-in shapes from standing in.
    ExampleImages images = ExampleImages.open(config("builtin"), 16, 3, null);
    assertNull(images.note());
  }

  @Test
  void aGivenFolderIsUsed(@TempDir Path dir) throws Exception {
    for (int i = 0; i < 6; i++) {
      BufferedImage image = new BufferedImage(20, 20, BufferedImage.TYPE_INT_RGB);
      Graphics2D g = image.createGraphics();
      g.setColor(new Color(40 * i, 100, 200));
      g.fillRect(0, 0, 20, 20);
      g.dispose();
      ImageIO.write(image, "png", dir.resolve("img" + i + ".png").toFile());
    }
    ExperimentConfig unconditional = config("LHQ").toBuilder().setTask(org.diffusiondepot.proto.Task.UNCONDITIONAL)
        .build();
    ExampleImages images = ExampleImages.open(unconditional, 16, 3, dir.toString());
    assertNull(images.note());
    assertTrue(images.description().startsWith("folder " + dir), images.description());
    ExampleImages wrongClasses = ExampleImages.open(config("LHQ"), 16, 3, dir.toString());
    assertTrue(wrongClasses.note().startsWith("Could not open the data folder"), wrongClasses.note());
  }
}
