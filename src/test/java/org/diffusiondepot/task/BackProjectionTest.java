package org.diffusiondepot.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Back-projected outputs degrade to their low-res input; what already does is left alone. */
class BackProjectionTest {
  static final int SIZE = 64;
  static final int CHANNELS = 3;
  /** Half an 8-bit level in [-1, 1] units: "equal up to rounding". */
  static final double HALF_LEVEL = 1.0 / 255;

  /** A saturated disk on a gradient, as the built-in shapes: sharp edges, flat regions. */
  static float[] scene(double cx, double cy, double r, float[] fill) {
    float[] img = new float[SIZE * SIZE * CHANNELS];
    for (int y = 0; y < SIZE; y++) {
      for (int x = 0; x < SIZE; x++) {
        boolean inside = Math.hypot(x + 0.5 - cx, y + 0.5 - cy) < r;
        for (int c = 0; c < CHANNELS; c++) {
          img[(y * SIZE + x) * CHANNELS + c] = inside ? fill[c] : -0.4f + 0.5f * y / SIZE + 0.1f * c;
        }
      }
    }
    return img;
  }

  static double worst(float[] a, float[] b) {
    double worst = 0;
    for (int i = 0; i < a.length; i++) {
      worst = Math.max(worst, Math.abs(a[i] - b[i]));
    }
    return worst;
  }

  @Test
  void theOutputDegradesToTheInputUpToRounding() {
    for (double blur : new double[] {0, 1.0}) {
      Degradation degradation = new Degradation(4, blur, 0);
      float[] truth = scene(30, 34, 15, new float[] {0.9f, 0.8f, -0.9f});
      float[] low = degradation.downscale(truth, SIZE, CHANNELS);
      // A wrong upscaling: the disk moved, green instead of yellow, and noise on top.
      float[] wrong = scene(27, 36, 13, new float[] {-0.6f, 0.7f, -0.5f});
      Random random = new Random(3);
      for (int i = 0; i < wrong.length; i++) {
        wrong[i] += (float) (0.2 * random.nextGaussian());
      }
      assertTrue(worst(degradation.downscale(wrong, SIZE, CHANNELS), low) > 0.5);
      float[] out = new BackProjection(degradation, SIZE, CHANNELS).apply(wrong, low);
      assertTrue(worst(degradation.downscale(out, SIZE, CHANNELS), low) <= HALF_LEVEL,
          "blur " + blur + ": " + worst(degradation.downscale(out, SIZE, CHANNELS), low));
      for (float v : out) {
        assertTrue(v >= -1f && v <= 1f, "pixels stay in [-1, 1]: " + v);
      }
    }
  }

  @Test
  void anOutputThatAlreadyExplainsItsInputIsKept() {
    Degradation degradation = new Degradation(4, 0, 0);
    float[] truth = scene(30, 34, 15, new float[] {0.9f, 0.8f, -0.9f});
    float[] low = degradation.downscale(truth, SIZE, CHANNELS);
    assertTrue(worst(new BackProjection(degradation, SIZE, CHANNELS).apply(truth, low), truth) < 1e-3);
  }

  @Test
  void detailAboveTheLowResBandSurvives() {
    Degradation degradation = new Degradation(4, 0, 0);
    float[] flat = new float[SIZE * SIZE * CHANNELS];
    java.util.Arrays.fill(flat, 0.1f);
    float[] low = degradation.downscale(flat, SIZE, CHANNELS);
    float[] detailed = flat.clone();
    for (int y = 0; y < SIZE; y++) {
      for (int x = 0; x < SIZE; x++) {
        for (int c = 0; c < CHANNELS; c++) {
          detailed[(y * SIZE + x) * CHANNELS + c] += (x + y) % 2 == 0 ? 0.3f : -0.3f;   // a one-pixel checkerboard
        }
      }
    }
    float[] out = new BackProjection(degradation, SIZE, CHANNELS).apply(detailed, low);
    // The checkerboard is invisible at 16 px, so the projection has (almost) nothing to correct.
    assertTrue(worst(out, detailed) < 0.02, "detail kept: " + worst(out, detailed));
    assertEquals(0.4f, out[0], 0.02f);
  }
}
