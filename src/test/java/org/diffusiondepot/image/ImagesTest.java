package org.diffusiondepot.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.diffusiondepot.data.TestImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

public class ImagesTest {
  private static final float EPS = 1e-6f;

  /** 16x8: left half red, right half blue. */
  private static BufferedImage halfRedHalfBlue() {
    BufferedImage img = TestImages.solid(16, 8, Color.BLUE);
    for (int y = 0; y < 8; y++) {
      for (int x = 0; x < 8; x++) {
        img.setRGB(x, y, Color.RED.getRGB());
      }
    }
    return img;
  }

  @Test
  void wideImageIsCenterCroppedThenShrunk() {
    // The centered 8x8 square spans x = 4..11: red columns 4..7, blue 8..11; shrunk 2x to 4x4.
    float[] px = Images.fromImage(halfRedHalfBlue(), 4, 3);
    assertEquals(4 * 4 * 3, px.length);
    for (int y = 0; y < 4; y++) {
      assertArrayEquals(new float[] {1, -1, -1}, pixel(px, 4, 3, 1, y), EPS);
      assertArrayEquals(new float[] {-1, -1, 1}, pixel(px, 4, 3, 2, y), EPS);
    }
  }

  @Test
  void nonIntegerShrinkAveragesByArea() {
    // The 8x8 crop shrunk to 3: the middle output pixel covers x in [2.67, 5.33): 4/3 red of 8/3.
    float[] px = Images.fromImage(halfRedHalfBlue(), 3, 3);
    float[] middle = pixel(px, 3, 3, 1, 1);
    assertEquals(0.0f, middle[0], 1e-5f);
    assertEquals(-1.0f, middle[1], 1e-5f);
    assertEquals(0.0f, middle[2], 1e-5f);
  }

  @Test
  void greyConversionUsesLumaAndGreyFilesKeepTheirValues(@TempDir Path dir) throws Exception {
    float[] grey = Images.fromImage(TestImages.solid(4, 4, new Color(200, 100, 50)), 2, 1);
    float expected = (float) ((0.299 * 200 + 0.587 * 100 + 0.114 * 50) / 127.5 - 1);
    assertEquals(expected, grey[0], 1e-5f);
    // A grey PNG must read back as its stored value (getRGB would gamma-brighten 128 to 188).
    float[] half = new float[4 * 4];
    Arrays.fill(half, 128 / 127.5f - 1);
    Path file = TestImages.write(dir.resolve("g.png"), Images.toImage(half, 4, 1));
    BufferedImage read = ImageIO.read(file.toFile());
    assertEquals(BufferedImage.TYPE_BYTE_GRAY, read.getType());
    assertEquals(128 / 127.5f - 1, Images.fromImage(read, 4, 1)[5], 1e-6f);
    assertEquals(128 / 127.5f - 1, Images.fromImage(read, 4, 3)[5 * 3 + 1], 1e-6f);
  }

  @Test
  void toImageClampsAndRounds() {
    float[] px = {-2f, 0f, 1f, 5f, -1f, 0.5f, 0.999f, -0.999f, 0.3f, 0.3f, 0.3f, 0.3f};
    BufferedImage img = Images.toImage(px, 2, 3);
    assertEquals(new Color(0, 128, 255).getRGB(), img.getRGB(0, 0));
    assertEquals(new Color(255, 0, 191).getRGB(), img.getRGB(1, 0));
    float[] back = Images.fromImage(img, 2, 3);
    assertEquals(1f, back[3], EPS);
    assertEquals(-1f, back[0], EPS);
  }

  @Test
  void smallImagesAreEnlargedWithinRange() {
    float[] px = Images.fromImage(halfRedHalfBlue(), 32, 3);
    assertEquals(32 * 32 * 3, px.length);
    for (float v : px) {
      assertTrue(v >= -1 && v <= 1, "value " + v);
    }
    assertArrayEquals(new float[] {1, -1, -1}, pixel(px, 32, 3, 0, 0), EPS);
    assertArrayEquals(new float[] {-1, -1, 1}, pixel(px, 32, 3, 31, 31), EPS);
  }

  @Test
  void flipMirrorsColumnsAndKeepsChannelOrder() {
    assertArrayEquals(new float[] {2, 1, 4, 3}, Images.flipHorizontal(new float[] {1, 2, 3, 4}, 2, 1));
    float[] rgb = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    assertArrayEquals(new float[] {4, 5, 6, 1, 2, 3, 10, 11, 12, 7, 8, 9}, Images.flipHorizontal(rgb, 2, 3));
  }

  public static float[] pixel(float[] px, int size, int channels, int x, int y) {
    float[] out = new float[channels];
    System.arraycopy(px, (y * size + x) * channels, out, 0, channels);
    return out;
  }
}
