package org.diffusiondepot.sampler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.diffusiondepot.task.Conditioning;
import org.diffusiondepot.task.NoisePredictor;
import org.diffusiondepot.proto.VarianceType;
import org.diffusiondepot.schedule.NoiseSchedule;
import org.junit.jupiter.api.Test;

/** Dynamic thresholding against Saharia et al.'s rule written out here. */
class DynamicThresholdingTest {
  static final NoiseSchedule SCHEDULE =
      NoiseSchedule.of(NoiseSchedule.linearBetas(1000, 1e-4, 0.02), VarianceType.SAME);

  @Test
  void percentileInterpolatesBetweenOrderStatisticsLikeTorchQuantile() {
    double[] values = {7, 0, 3, 9, 1, 8, 2, 6, 4, 5, 10};  // 0..10 shuffled: the q-quantile is 10 q
    assertEquals(9.95, DynamicThresholding.percentile(values, 995), 1e-12);
    assertEquals(5.0, DynamicThresholding.percentile(values, 500), 1e-12);
  }

  @Test
  void percentileBySelectionEqualsTheSortedDefinition() {
    java.util.Random random = new java.util.Random(3);
    for (int n : new int[] {2, 3, 7, 3072, 49_152}) {
      double[] values = random.doubles(n).map(Math::abs).toArray();
      double[] sorted = values.clone();
      java.util.Arrays.sort(sorted);
      double position = 0.995 * (n - 1);  // torch.quantile(..., interpolation="linear")
      int below = (int) Math.floor(position);
      double expected = sorted[below] + (position - below) * (sorted[Math.min(below + 1, n - 1)] - sorted[below]);
      assertEquals(expected, DynamicThresholding.percentile(values, 995), 1e-12, "n = " + n);
    }
  }

  /** A network whose eps implies the given x0_hat for every example at its own timestep. */
  static NoisePredictor implying(double[] x0) {
    return (xt, t, condition, batch) -> {
      int per = xt.length / batch;
      float[] eps = new float[xt.length];
      for (int i = 0; i < xt.length; i++) {
        double abar = SCHEDULE.alphaCumprod(t[i / per]);
        eps[i] = (float) ((xt[i] - Math.sqrt(abar) * x0[i]) / Math.sqrt(1 - abar));
      }
      return eps;
    };
  }

  static double impliedX0(int t, float x, float eps) {
    double abar = SCHEDULE.alphaCumprod(t);
    return (x - Math.sqrt(1 - abar) * eps) / Math.sqrt(abar);
  }

  @Test
  void eachExampleIsDividedByItsOwnPercentileAtItsOwnTimestep() {
    int per = 200;
    double[] x0 = new double[2 * per];
    float[] x = new float[2 * per];
    for (int i = 0; i < per; i++) {
      x0[i] = 0.9 * Math.sin(i);              // example 0: inside [-1, 1]
      x0[per + i] = 3.0 * (i - 99.5) / 99.5;  // example 1: a ramp to +-3, whose 99.5th percentile of |x0| is 3
    }
    for (int i = 0; i < 2 * per; i++) {
      x[i] = (float) Math.cos(3 * i);
    }
    int[] t = {300, 700};
    NoisePredictor network = implying(x0);
    float[] raw = network.predict(x, t, Conditioning.none(), 2);
    float[] eps = new DynamicThresholding(network, SCHEDULE).predict(x, t, Conditioning.none(), 2);
    assertArrayEquals(Arrays.copyOf(raw, per), Arrays.copyOf(eps, per), "an example within [-1, 1] keeps its eps");
    double s = 3.0;
    for (int i = 0; i < per; i++) {
      assertEquals(x0[per + i] / s, impliedX0(700, x[per + i], eps[per + i]), 1e-4, "x0 = clip(x0, -s, s) / s at " + i);
    }
  }

  @Test
  void aFewOutliersAreClippedStaticallyAtOne() {
    int per = 1000;
    double[] x0 = new double[per];
    float[] x = new float[per];
    for (int i = 0; i < per; i++) {
      x0[i] = i < 3 ? 4.0 : 0.5;  // 0.3% of the values out of range: s = 1
      x[i] = 0.1f;
    }
    int[] t = {100};
    float[] eps = new DynamicThresholding(implying(x0), SCHEDULE).predict(x, t, Conditioning.none(), 1);
    assertEquals(1.0, impliedX0(100, x[0], eps[0]), 1e-4);
    assertEquals(0.5, impliedX0(100, x[500], eps[500]), 1e-4);
  }

  /** Far-out x0 estimates shrink into [-1, 1] instead of saturating at +-1. */
  @Test
  void aChainThroughItEndsAtTheShrunkEstimate() {
    double[] x0 = new double[64];
    for (int i = 0; i < 64; i++) {
      x0[i] = 4 * (i / 31.5 - 1);  // 4 ramp, ramp in [-1, 1]: s = 4
    }
    NoisePredictor network = new DynamicThresholding(implying(x0), SCHEDULE);
    float[] out = new DdimSampler(SCHEDULE, 1, 0.0, true).sample(network, 1, 8, 1, Conditioning.none(), 1,
        StepListener.NONE);
    for (int i = 0; i < out.length; i++) {
      assertEquals(x0[i] / 4, out[i], 1e-3, "x0 = 4 ramp / 4, not clip(4 ramp, -1, 1), at " + i);
    }
  }
}
