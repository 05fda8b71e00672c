package org.diffusiondepot.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class BuiltinShapesTest {

  @Test
  void deterministicPerSeedAndIndex() {
    BuiltinShapes a = new BuiltinShapes(32, 3, 50, 1);
    BuiltinShapes b = new BuiltinShapes(32, 3, 5000, 1);
    BuiltinShapes other = new BuiltinShapes(32, 3, 50, 2);
    for (int i = 0; i < 50; i += 7) {
      assertArrayEquals(a.get(i).pixels(), b.get(i).pixels());
      assertFalse(Arrays.equals(a.get(i).pixels(), other.get(i).pixels()));
    }
    assertFalse(Arrays.equals(a.get(0).pixels(), a.get(3).pixels()));
  }

  @Test
  void balancedNamedAndInRange() {
    BuiltinShapes ds = new BuiltinShapes(32, 3, 300, 4);
    assertEquals(List.of("circle", "square", "triangle"), ds.classNames());
    int[] counts = new int[3];
    for (int i = 0; i < ds.size(); i++) {
      Example ex = ds.get(i);
      assertEquals(i % 3, ex.label());
      counts[ex.label()]++;
      assertEquals(32 * 32 * 3, ex.pixels().length);
      for (float v : ex.pixels()) {
        assertTrue(v >= -1f && v <= 1f, "value " + v);
      }
    }
    assertArrayEquals(new int[] {100, 100, 100}, counts);
    assertEquals("builtin:triangle#5", ds.describe(5));
    assertEquals(8 * 8, new BuiltinShapes(8, 1, 3, 4).get(2).pixels().length);
  }

  @Test
  void shapesStandOutFromTheBackgroundInColourAndGrey() {
    for (int channels : new int[] {3, 1}) {
      BuiltinShapes ds = new BuiltinShapes(32, channels, 90, 8);
      for (int i = 0; i < ds.size(); i++) {
        float[] px = ds.get(i).pixels();
        float[] mask = ds.shapeMask(i);
        double[] inside = new double[channels];
        double[] outside = new double[channels];
        int in = 0;
        int out = 0;
        for (int p = 0; p < mask.length; p++) {
          if (mask[p] > 0.99f || mask[p] < 0.01f) {
            double[] sum = mask[p] > 0.5f ? inside : outside;
            for (int c = 0; c < channels; c++) {
              sum[c] += px[p * channels + c];
            }
            in += mask[p] > 0.5f ? 1 : 0;
            out += mask[p] > 0.5f ? 0 : 1;
          }
        }
        double distance = 0;
        for (int c = 0; c < channels; c++) {
          distance += Math.pow(inside[c] / in - outside[c] / out, 2);
        }
        // 0.4 in [-1, 1] units is 20% of the range: a plainly visible edge.
        assertTrue(Math.sqrt(distance) > 0.4, "image " + i + " (" + channels + " channels): " + Math.sqrt(distance));
        assertTrue(in > 0.35 * 0.35 * 0.4 * mask.length, "image " + i + " shape too small: " + in);
      }
    }
  }

  /**
   * Shape area over the area of the circle around it, centered on the shape's centroid: about
   * 1 for a circle, 2/pi for a square and 0.41 for an equilateral triangle, whatever the rotation.
   */
  static double roundness(float[] mask, int size) {
    double area = 0;
    double cx = 0;
    double cy = 0;
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        double w = mask[y * size + x];
        area += w;
        cx += w * (x + 0.5);
        cy += w * (y + 0.5);
      }
    }
    cx /= area;
    cy /= area;
    double r2 = 0;
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        if (mask[y * size + x] > 0.5f) {
          r2 = Math.max(r2, Math.pow(x + 0.5 - cx, 2) + Math.pow(y + 0.5 - cy, 2));
        }
      }
    }
    double radius = Math.sqrt(r2) + 0.5;
    return area / (Math.PI * radius * radius);
  }

  @Test
  void classesAreSeparableByRoundnessAt32Pixels() {
    BuiltinShapes ds = new BuiltinShapes(32, 3, 300, 12);
    for (int i = 0; i < ds.size(); i++) {
      double roundness = roundness(ds.shapeMask(i), 32);
      int predicted = roundness > 0.8 ? 0 : roundness > 0.55 ? 1 : 2;
      assertEquals(i % 3, predicted, ds.describe(i) + " has roundness " + roundness);
    }
  }
}
