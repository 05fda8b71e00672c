package org.diffusiondepot.sampler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.diffusiondepot.proto.VarianceType;
import org.diffusiondepot.schedule.NoiseSchedule;
import org.junit.jupiter.api.Test;

/** Dynamic thresholding against Saharia et al.'s rule written out here. */
class DynamicThresholdTest {
  static final double ABAR = 0.04;  // sqrt(abar) = 0.2, sqrt(1 - abar) = 0.98

  @Test
  void percentileInterpolatesBetweenOrderStatisticsLikeTorchQuantile() {
    double[] values = {7, 0, 3, 9, 1, 8, 2, 6, 4, 5, 10};  // 0..10 shuffled: the q-quantile is 10 q
    assertEquals(9.95, DynamicThreshold.percentile(values, 0.995), 1e-12);
    assertEquals(5.0, DynamicThreshold.percentile(values, 0.5), 1e-12);
  }

  @Test
  void eachExampleIsDividedByItsOwnPercentileAndEpsFollows() {
    int per = 200;
    float[] x = new float[2 * per];
    float[] eps = new float[2 * per];
    double[] x0 = new double[2 * per];
    for (int i = 0; i < per; i++) {
      x0[i] = 0.9 * Math.sin(i);           // example 0: inside [-1, 1]
      x0[per + i] = 3.0 * (i - 99.5) / 99.5;  // example 1: a ramp to +-3
    }
    for (int i = 0; i < 2 * per; i++) {
      eps[i] = (float) Math.cos(3 * i);
      x[i] = (float) (Math.sqrt(ABAR) * x0[i] + Math.sqrt(1 - ABAR) * eps[i]);
    }
    float[] untouched = java.util.Arrays.copyOf(eps, per);
    DynamicThreshold.apply(ABAR, x, eps, 2);
    assertArrayEquals(untouched, java.util.Arrays.copyOf(eps, per), "an example within [-1, 1] keeps its eps");
    double[] magnitudes = new double[per];
    for (int i = 0; i < per; i++) {
      magnitudes[i] = Math.abs((x[per + i] - Math.sqrt(1 - ABAR) * (double) (float) Math.cos(3 * (per + i)))
          / Math.sqrt(ABAR));
    }
    double s = Math.max(1, DynamicThreshold.percentile(magnitudes, 0.995));
    assertEquals(3.0 * (199 - 99.5) / 99.5, s, 0.01, "the ramp's 99.5th percentile of |x0| is nearly its end");
    for (int i = 0; i < per; i++) {
      double implied = (x[per + i] - Math.sqrt(1 - ABAR) * eps[per + i]) / Math.sqrt(ABAR);
      assertEquals(Math.max(-s, Math.min(s, x0[per + i])) / s, implied, 1e-4, "x0 = clip(x0, -s, s) / s at " + i);
    }
  }

  @Test
  void aFewOutliersAreClippedStaticallyAtOne() {
    int per = 1000;
    float[] x = new float[per];
    float[] eps = new float[per];
    for (int i = 0; i < per; i++) {
      double x0 = i < 3 ? 4.0 : 0.5;  // 0.3% of the values out of range: s = 1
      x[i] = (float) (Math.sqrt(ABAR) * x0 + Math.sqrt(1 - ABAR) * 0.1);
      eps[i] = 0.1f;
    }
    DynamicThreshold.apply(ABAR, x, eps, 1);
    assertEquals(1.0, (x[0] - Math.sqrt(1 - ABAR) * eps[0]) / Math.sqrt(ABAR), 1e-5);
    assertEquals(0.5, (x[500] - Math.sqrt(1 - ABAR) * eps[500]) / Math.sqrt(ABAR), 1e-5);
  }

  /** In a chain with clipDenoised the network's eps is thresholded: far-out x0 estimates shrink, not saturate. */
  @Test
  void chainsThresholdWhatTheNetworkPredicts() {
    NoiseSchedule schedule = NoiseSchedule.of(NoiseSchedule.linearBetas(1000, 1e-4, 0.02), VarianceType.SAME);
    // A network that always implies x0_hat = 4 * ramp, ramp in [-1, 1] across the example.
    NoisePredictor network = (xt, t, condition, batch) -> {
      double abar = schedule.alphaCumprod(t[0]);
      float[] eps = new float[xt.length];
      for (int i = 0; i < xt.length; i++) {
        double ramp = (i % 64) / 31.5 - 1;
        eps[i] = (float) ((xt[i] - Math.sqrt(abar) * 4 * ramp) / Math.sqrt(1 - abar));
      }
      return eps;
    };
    float[] out = new DdimSampler(schedule, 1, 0.0, true).sample(network, 1, 8, 1, Conditioning.none(), 1,
        StepListener.NONE);
    for (int i = 0; i < out.length; i++) {
      double ramp = (i % 64) / 31.5 - 1;
      assertEquals(ramp, out[i], 1e-3, "x0 = 4 ramp / s with s = 4, not clip(4 ramp, -1, 1), at " + i);
    }
  }
}
