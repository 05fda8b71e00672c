package org.diffusiondepot.task;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DegradationTest {

  private static float[] random(int values, long seed) {
    Random random = new Random(seed);
    float[] out = new float[values];
    for (int i = 0; i < values; i++) {
      out[i] = random.nextFloat() * 2 - 1;
    }
    return out;
  }

  @Test
  void outputHasTheLowResShape() {
    float[] hr = random(64 * 64 * 3, 1);
    assertEquals(16 * 16 * 3, new Degradation(4, 0.8, 0.05).apply(hr, 64, 3, 1).length);
    assertEquals(32 * 32, new Degradation(2, 0, 0).apply(random(64 * 64, 2), 64, 1, 1).length);
    assertThrows(IllegalArgumentException.class, () -> new Degradation(3, 0, 0).apply(hr, 64, 3, 1));
  }

  @Test
  void constantImagesStayConstant() {
    float[] constant = new float[40 * 40 * 3];
    Arrays.fill(constant, 0.37f);
    int[][] sizes = {{40, 10}, {40, 13}, {40, 97}, {40, 40}};
    for (int[] s : sizes) {
      for (float v : Degradation.resize(constant, s[0], s[1], 3)) {
        assertEquals(0.37f, v, 1e-5f, s[0] + " -> " + s[1]);
      }
    }
    for (float v : new Degradation(4, 1.5, 0).apply(constant, 40, 3, 0)) {
      assertEquals(0.37f, v, 1e-5f);
    }
  }

  @Test
  void bicubicMatchesPil() {
    // Reference: PIL 9.4 Image.fromarray(a, "F").resize(size, Image.BICUBIC) on these inputs.
    float[] a = new float[64];
    for (int i = 0; i < 64; i++) {
      a[i] = (float) Math.sin(i * 0.7);
    }
    float[] down = {0.014866219f, 0.74424165f, -0.3075065f, -0.755997f, 0.042522538f, 0.7392769f, 0.21843374f,
        -0.7573641f, 0.079366356f};
    assertArrayEquals(down, Degradation.resize(a, 8, 3, 1), 1e-5f);
    float[] b = new float[9];
    for (int i = 0; i < 9; i++) {
      b[i] = (float) Math.sin(i * 1.3);
    }
    float[] up = {-0.027417542f, 0.44584703f, 1.1029553f, 0.78332937f, 0.49554646f, -0.36040705f, -0.12251958f,
        0.26187965f, 0.41436848f, 0.47155702f, -0.67299718f, -0.80559307f, -0.88345468f, -0.17896315f, 0.29803127f,
        0.41867173f, 0.19226369f, -0.1853947f, -0.39887473f, -0.49735904f, 1.1798463f, 0.93363655f, 0.40985706f,
        -0.4768759f, -1.00589f};
    assertArrayEquals(up, Degradation.resize(b, 3, 5, 1), 1e-5f);
  }

  @Test
  void areaResizeAveragesBlocks() {
    // 4x4 grey with a 2x2 checkerboard in each quadrant, different levels per quadrant.
    float[] img = {
        1, -1, 0.5f, 0.5f,
        -1, 1, 0.5f, 0.5f,
        0, 0.2f, 1, 1,
        0.2f, 0, 1, 0};
    assertArrayEquals(new float[] {0, 0.5f, 0.1f, 0.75f}, Degradation.areaResize(img, 4, 2, 1), 1e-6f);
    float[] rgb = {1, 0, -1, -1, 0, 1, -1, 0, 1, 1, 0, -1};
    assertArrayEquals(new float[] {0, 0, 0}, Degradation.areaResize(rgb, 2, 1, 3), 1e-6f);
    assertThrows(IllegalArgumentException.class, () -> Degradation.areaResize(img, 4, 3, 1));
  }

  @Test
  void noiseHasTheRequestedStdAndIsSeeded() {
    float[] zeros = new float[256 * 256];
    Degradation degradation = new Degradation(2, 0, 0.1);
    float[] low = degradation.apply(zeros, 256, 1, 42);
    double sum = 0;
    double squares = 0;
    for (float v : low) {
      sum += v;
      squares += v * v;
    }
    double mean = sum / low.length;
    double std = Math.sqrt(squares / low.length - mean * mean);
    assertEquals(0.1, std, 0.01);
    assertEquals(0, mean, 0.01);
    assertArrayEquals(low, degradation.apply(zeros, 256, 1, 42));
    assertTrue(!Arrays.equals(low, degradation.apply(zeros, 256, 1, 43)));
  }

  @Test
  void outputIsClippedToUnitRange() {
    // A hard edge overshoots under bicubic; strong noise pushes far past +-1.
    float[] edge = new float[30 * 30];
    for (int i = 0; i < edge.length; i++) {
      edge[i] = (i % 30) < 15 ? -1 : 1;
    }
    float[] overshoot = Degradation.resize(edge, 30, 11, 1);
    assertTrue(Arrays.stream(toDoubles(overshoot)).anyMatch(v -> Math.abs(v) > 1), "expected bicubic overshoot");
    for (Degradation d : new Degradation[] {new Degradation(3, 0, 0), new Degradation(2, 0.5, 2.0)}) {
      for (float v : d.apply(edge, 30, 1, 5)) {
        assertTrue(v >= -1 && v <= 1, "value " + v);
      }
    }
  }

  private static double[] toDoubles(float[] values) {
    double[] out = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = values[i];
    }
    return out;
  }
}
