package org.diffusiondepot.task;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Random;
import org.diffusiondepot.proto.VarianceType;
import org.diffusiondepot.schedule.NoiseSchedule;
import org.junit.jupiter.api.Test;

/** Known pixels follow q(x_t | x_known) during the chain and equal x_known at the end; the hole is untouched. */
class KnownRegionTest {
  static final NoiseSchedule SCHEDULE = NoiseSchedule.of(NoiseSchedule.linearBetas(1000, 1e-4, 0.02), VarianceType.SAME);

  @Test
  void knownPixelsAreNoisedToTheChainsLevelAndTheHoleIsLeftAlone() {
    int pixels = 4096;
    float[] image = new float[pixels];
    float[] mask = new float[pixels];
    for (int p = 0; p < pixels; p++) {
      image[p] = 0.5f;
      mask[p] = p % 2 == 0 ? 1f : 0f;   // even pixels are the hole
    }
    int batch = 2;
    float[] x = new float[batch * pixels];
    java.util.Arrays.fill(x, 7f);
    int t = 400;
    new KnownRegion(SCHEDULE, image, mask, 64, 1, 1).apply(x, t, new Random(1));
    double sum = 0;
    double sumSquares = 0;
    int known = 0;
    for (int i = 0; i < x.length; i++) {
      if ((i % pixels) % 2 == 0) {
        assertEquals(7f, x[i], 0f, "hole pixel " + i);
      } else {
        sum += x[i];
        sumSquares += x[i] * x[i];
        known++;
      }
    }
    double mean = sum / known;
    double std = Math.sqrt(sumSquares / known - mean * mean);
    // 4096 known values: standard errors ~0.016 on the mean and ~0.011 on the std.
    assertEquals(0.5 * SCHEDULE.sqrtAlphaCumprod(t), mean, 0.06);
    assertEquals(SCHEDULE.sqrtOneMinusAlphaCumprod(t), std, 0.05);

    new KnownRegion(SCHEDULE, image, mask, 64, 1, 1).apply(x, -1, new Random(1));
    for (int i = 0; i < x.length; i++) {
      assertEquals((i % pixels) % 2 == 0 ? 7f : 0.5f, x[i], 0f);
    }
  }
}
