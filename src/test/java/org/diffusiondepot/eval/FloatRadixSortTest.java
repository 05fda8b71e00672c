package org.diffusiondepot.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FloatRadixSortTest {
  @Test
  void sortsLikeArraysSortIncludingSignsZerosAndInfinities() {
    Random r = new Random(1);
    float[] values = new float[10_000];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(20) - 10));
    }
    values[0] = -0.0f;
    values[1] = 0.0f;
    values[2] = Float.NEGATIVE_INFINITY;
    values[3] = Float.POSITIVE_INFINITY;
    values[4] = Float.MIN_VALUE;
    values[5] = -Float.MAX_VALUE;
    float[] expected = values.clone();
    Arrays.sort(expected);
    FloatRadixSort.sort(values);
    assertArrayEquals(expected, values);
  }
}
