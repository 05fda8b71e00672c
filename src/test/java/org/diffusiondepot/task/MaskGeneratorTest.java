package org.diffusiondepot.task;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.Arrays;
import org.diffusiondepot.data.TestImages;
import org.junit.jupiter.api.Test;

class MaskGeneratorTest {

  private static double ratio(float[] mask) {
    double filled = 0;
    for (float v : mask) {
      assertTrue(v == 0f || v == 1f, "mask value " + v);
      filled += v;
    }
    return filled / mask.length;
  }

  @Test
  void ratiosStayInRangeOverManySeeds() {
    double[][] ranges = {{0.1, 0.5}, {0.3, 0.32}, {0.0, 0.05}, {0.7, 1.0}};
    for (double[] range : ranges) {
      for (int resolution : new int[] {32, 64}) {
        MaskGenerator generator = new MaskGenerator(resolution, range[0], range[1]);
        for (long seed = 0; seed < 200; seed++) {
          double r = ratio(generator.generate(seed));
          assertTrue(r >= range[0] && r <= range[1],
              "seed " + seed + " at " + resolution + ": " + r + " outside " + Arrays.toString(range));
        }
      }
    }
  }

  @Test
  void masksAreVariedNotOneBlob() {
    MaskGenerator generator = new MaskGenerator(32, 0.1, 0.5);
    double sum = 0;
    for (long seed = 0; seed < 200; seed++) {
      sum += ratio(generator.generate(seed));
    }
    double mean = sum / 200;
    assertTrue(mean > 0.2 && mean < 0.4, "mean ratio " + mean);
  }

  @Test
  void sameSeedSameMaskOtherSeedOtherMask() {
    MaskGenerator generator = new MaskGenerator(64, 0.2, 0.4);
    assertArrayEquals(generator.generate(17), generator.generate(17));
    assertArrayEquals(generator.generate(17), new MaskGenerator(64, 0.2, 0.4).generate(17));
    assertFalse(Arrays.equals(generator.generate(17), generator.generate(18)));
  }

  @Test
  void impossibleRangesAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> new MaskGenerator(4, 0.5, 0.4));
    // 4x4 has no pixel count between 0.3 * 16 = 4.8 and 0.31 * 16 = 4.96.
    assertThrows(IllegalArgumentException.class, () -> new MaskGenerator(4, 0.3, 0.31));
  }

  @Test
  void userMaskIsThresholdedOnLumaAndResizedNearest() {
    // 8x4, left half white with one mid-grey pixel just below 0.5, right half black.
    BufferedImage img = TestImages.solid(8, 4, Color.BLACK);
    for (int y = 0; y < 4; y++) {
      for (int x = 0; x < 4; x++) {
        img.setRGB(x, y, Color.WHITE.getRGB());
      }
    }
    // Center crop: x = 2..5. Crop pixel (0, 0) = image (2, 0) is below threshold, (1, 1) just above.
    img.setRGB(2, 0, new Color(127, 127, 127).getRGB());
    img.setRGB(3, 1, new Color(128, 128, 128).getRGB());
    assertArrayEquals(new float[] {0, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0}, MaskGenerator.fromImage(img, 4));
    assertArrayEquals(new float[] {1, 0, 1, 0}, MaskGenerator.fromImage(img, 2));
  }

  @Test
  void transparentPixelsAreKnown() {
    BufferedImage img = new BufferedImage(2, 2, BufferedImage.TYPE_INT_ARGB);
    img.setRGB(0, 0, 0xffffffff);
    img.setRGB(1, 0, 0x00ffffff);
    assertArrayEquals(new float[] {1, 0, 0, 0}, MaskGenerator.fromImage(img, 2));
  }
}
