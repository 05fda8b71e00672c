package org.diffusiondepot.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.diffusiondepot.data.BuiltinShapes;
import org.junit.jupiter.api.Test;

/** SWD on the built-in shapes: zero for identical sets, and what it does and does not notice. */
class SlicedWassersteinTest {
  private static final int SIZE = 32;
  private static final int COUNT = 48;
  /** Fewer directions than the default keep the test fast; the estimate is only a little noisier. */
  private static final SlicedWasserstein PER_SET = new SlicedWasserstein(7, 128, 128, 0,
      SlicedWasserstein.Normalization.PER_SET);
  private static final SlicedWasserstein REFERENCE = new SlicedWasserstein(7, 128, 128, 0,
      SlicedWasserstein.Normalization.REFERENCE);

  private static final float[] DRAW_0 = images(0);
  private static final float[] DRAW_1 = images(1);

  private static float[] images(long seed) {
    BuiltinShapes ds = new BuiltinShapes(SIZE, 3, COUNT, seed);
    int values = SIZE * SIZE * 3;
    float[] out = new float[COUNT * values];
    for (int i = 0; i < COUNT; i++) {
      System.arraycopy(ds.get(i).pixels(), 0, out, i * values, values);
    }
    return out;
  }

  private static float[] plus(float[] images, float delta) {
    float[] out = images.clone();
    for (int i = 0; i < out.length; i++) {
      out[i] += delta;
    }
    return out;
  }

  private static float[] noisy(float[] images, double sigma, long seed) {
    Random r = new Random(seed);
    float[] out = images.clone();
    for (int i = 0; i < out.length; i++) {
      out[i] += (float) (sigma * r.nextGaussian());
    }
    return out;
  }

  @Test
  void identicalSetsAreAtDistanceZero() {
    float[] a = java.util.Arrays.copyOf(DRAW_0, 8 * SIZE * SIZE * 3);
    SlicedWasserstein.Result r = SlicedWasserstein.standard().compute(a, 8, a.clone(), 8, SIZE, 3);
    assertArrayEquals(new int[] {32, 16}, r.levelSides());
    assertEquals(0, r.average(), 1e-9);
  }

  @Test
  void aDifferentDrawIsCloserThanADegradedOne() {
    float[] a = DRAW_0;
    double draw = PER_SET.distance(a, COUNT, DRAW_1, COUNT, SIZE, 3);
    double degraded = PER_SET.distance(a, COUNT, noisy(a, 0.2, 2), COUNT, SIZE, 3);
    assertTrue(draw > 0 && degraded > 2 * draw, "independent draw " + draw + ", noisy copy " + degraded);
  }

  @Test
  void perSetNormalisationIgnoresAGlobalShiftAndReferenceNormalisationDoesNot() {
    float[] a = DRAW_0;
    float[] shifted = plus(a, 0.3f);
    assertEquals(0, PER_SET.distance(a, COUNT, shifted, COUNT, SIZE, 3), 1e-3);
    double draw = REFERENCE.distance(a, COUNT, DRAW_1, COUNT, SIZE, 3);
    double shift = REFERENCE.distance(a, COUNT, shifted, COUNT, SIZE, 3);
    assertTrue(shift > 2 * draw, "independent draw " + draw + ", shifted copy " + shift);
  }

  @Test
  void setsOfDifferentSizesCompareByQuantiles() {
    float[] a = DRAW_0;
    float[] half = java.util.Arrays.copyOf(a, a.length / 2);
    double d = PER_SET.distance(a, COUNT, half, COUNT / 2, SIZE, 3);
    assertTrue(Double.isFinite(d) && d > 0);
  }

  @Test
  void wassersteinOfUnequalSamplesIntegratesQuantileGaps() {
    // Quantile functions of {0, 1} and {0, 0.5, 1} differ by 0.5 on (1/3, 2/3): W1 = 1/6.
    assertEquals(1.0 / 6, SlicedWasserstein.wasserstein1(new float[] {0, 1}, new float[] {0, 0.5f, 1}), 1e-7);
    assertEquals(0.5, SlicedWasserstein.wasserstein1(new float[] {0, 1}, new float[] {0.5f, 1.5f}), 1e-7);
  }

  @Test
  void pyramidLevelsFollowKarras() {
    assertArrayEquals(new int[] {128, 64, 32, 16}, SlicedWasserstein.levelSides(128, 7));
    assertArrayEquals(new int[] {16}, SlicedWasserstein.levelSides(16, 7));
    assertArrayEquals(new int[] {8}, SlicedWasserstein.levelSides(8, 7));
  }

  @Test
  void laplacianBandsOfAFlatImageAreZeroAndTheyRebuildTheImage() {
    float[] flat = new float[16 * 16 * 3];
    java.util.Arrays.fill(flat, 0.4f);
    float[][] levels = LaplacianPyramid.build(flat, 16, 3, new int[] {16, 8});
    for (float v : levels[0]) {
      assertEquals(0, v, 1e-6);
    }
    for (float v : levels[1]) {
      assertEquals(0.4f, v, 1e-6);
    }
    float[] image = noisy(flat, 0.3, 1);
    float[][] bands = LaplacianPyramid.build(image, 16, 3, new int[] {16, 8});
    float[] up = LaplacianPyramid.up(bands[1], 8, 3, 16);
    for (int i = 0; i < image.length; i++) {
      assertEquals(image[i], bands[0][i] + up[i], 1e-5);
    }
  }

  /** Masks of the left half of every image, or of its right quarter. */
  private static float[] columns(int count, int from, int to) {
    float[] masks = new float[count * SIZE * SIZE];
    for (int i = 0; i < masks.length; i++) {
      masks[i] = (i % SIZE) >= from && (i % SIZE) < to ? 1f : 0f;
    }
    return masks;
  }

  /** The images with the pixels where {@code masks} is on taken from {@code other}. */
  private static float[] insideFrom(float[] images, float[] other, float[] masks) {
    float[] out = images.clone();
    for (int p = 0; p < masks.length; p++) {
      if (masks[p] > 0.5f) {
        System.arraycopy(other, p * 3, out, p * 3, 3);
      }
    }
    return out;
  }

  @Test
  void insideRegionsOnlyPatchesCentredInThemCount() {
    float[] left = columns(COUNT, 0, SIZE / 2);
    float[] noisy = noisy(DRAW_0, 0.3, 5);
    // Patches centred in the left half reach 3 px (6 px at the 16 px level) beyond it, not to the right quarter.
    float[] noisyFarRight = insideFrom(DRAW_0, noisy, columns(COUNT, 3 * SIZE / 4, SIZE));
    float[] noisyLeft = insideFrom(DRAW_0, noisy, left);
    assertEquals(0, PER_SET.computeInside(DRAW_0, DRAW_0.clone(), left, COUNT, SIZE, 3).average(), 1e-9);
    assertEquals(0, PER_SET.computeInside(DRAW_0, noisyFarRight, left, COUNT, SIZE, 3).average(), 1e-9);
    assertTrue(PER_SET.compute(DRAW_0, COUNT, noisyFarRight, COUNT, SIZE, 3).average() > 10,
        "the whole-image distance sees it");
    double inside = PER_SET.computeInside(DRAW_0, noisyLeft, left, COUNT, SIZE, 3).average();
    assertTrue(inside > 10, "noise inside: " + inside);
  }
}
