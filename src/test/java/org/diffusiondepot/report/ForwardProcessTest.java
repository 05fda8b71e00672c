package org.diffusiondepot.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.diffusiondepot.data.BuiltinShapes;
import org.diffusiondepot.proto.VarianceType;
import org.diffusiondepot.schedule.NoiseSchedule;
import org.junit.jupiter.api.Test;

class ForwardProcessTest {
  static final NoiseSchedule LINEAR = NoiseSchedule.of(NoiseSchedule.linearBetas(1000, 1e-4, 0.02), VarianceType.SAME);
  static final NoiseSchedule COSINE = NoiseSchedule.of(NoiseSchedule.cosineBetas(1000, 0.008, 0.999),
      VarianceType.SAME);

  @Test
  void theStripStartsAtTheImageAndEndsInUnitNoise() throws Exception {
    float[] image = new BuiltinShapes(64, 3, 10, 1).get(0).pixels();
    for (NoiseSchedule schedule : new NoiseSchedule[] {LINEAR, COSINE}) {
      float[][] strip = ForwardProcess.strip(schedule, image, ForwardProcess.TIMESTEPS, new Random(5));
      assertEquals(6, strip.length);
      assertArrayEquals(image, strip[0], "t = 0 is the image itself");
      float[] last = strip[strip.length - 1];
      double mean = 0;
      for (float v : last) {
        mean += v;
      }
      mean /= last.length;
      double variance = 0;
      for (float v : last) {
        variance += (v - mean) * (v - mean);
      }
      variance /= last.length;
      assertEquals(0, mean, 0.05, "mean at t = 999");
      assertEquals(1, variance, 0.05, "variance at t = 999");
    }
  }

  @Test
  void theMiddleFollowsTheSchedule() {
    // A constant image: x_t = sqrt(abar_t) c + noise, so the mean of x_t is sqrt(abar_t) c.
    float[] image = new float[100_000];
    java.util.Arrays.fill(image, 0.8f);
    float[] xt = ForwardProcess.noised(LINEAR, image, 250, new Random(1));
    double mean = 0;
    for (float v : xt) {
      mean += v;
    }
    assertEquals(LINEAR.sqrtAlphaCumprod(250) * 0.8, mean / xt.length, 0.01);
  }

  @Test
  void shortSchedulesEndAtTheirLastStep() {
    assertArrayEquals(new int[] {0, 100, 250, 499}, ForwardProcess.timesteps(500));
    assertArrayEquals(ForwardProcess.TIMESTEPS, ForwardProcess.timesteps(1000));
  }
}
