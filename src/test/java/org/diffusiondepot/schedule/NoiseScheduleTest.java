package org.diffusiondepot.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.diffusiondepot.proto.VarianceType;
import org.junit.jupiter.api.Test;

/** The schedule tables against the formulas of Ho et al. 2020 and Nichol and Dhariwal 2021. */
class NoiseScheduleTest {
  static final int T = 1000;

  @Test
  void linearBetasAreLinspaceFrom1e4To002() {
    double[] b = NoiseSchedule.linearBetas(T, 1e-4, 0.02);
    assertEquals(1e-4, b[0], 1e-15);
    assertEquals(0.02, b[T - 1], 1e-15);
    // beta_t = 1e-4 + t (0.02 - 1e-4) / 999
    assertEquals(1e-4 + 500 * (0.02 - 1e-4) / 999, b[500], 1e-15);
  }

  @Test
  void cosineBetasFollowTheSquaredCosineAlphaBar() {
    double s = 0.008;
    double[] b = NoiseSchedule.cosineBetas(T, s, 0.999);
    for (int t : new int[] {0, 1, 250, 500, 900}) {
      double f0 = Math.pow(Math.cos((((double) t / T) + s) / (1 + s) * Math.PI / 2), 2);
      double f1 = Math.pow(Math.cos((((double) (t + 1) / T) + s) / (1 + s) * Math.PI / 2), 2);
      assertEquals(Math.min(1 - f1 / f0, 0.999), b[t], 1e-12, "beta at t=" + t);
    }
    assertEquals(0.999, b[T - 1], 1e-12, "the last beta is clipped");
    // abar_t = prod(1 - beta) equals f(t+1)/f(0) wherever no clipping happened
    NoiseSchedule schedule = NoiseSchedule.of(b, VarianceType.SAME);
    double f0 = Math.pow(Math.cos(s / (1 + s) * Math.PI / 2), 2);
    double f500 = Math.pow(Math.cos(((501.0 / T) + s) / (1 + s) * Math.PI / 2), 2);
    assertEquals(f500 / f0, schedule.alphaCumprod(500), 1e-9);
  }

  @Test
  void alphasCumprodIsTheRunningProduct() {
    NoiseSchedule s = NoiseSchedule.of(NoiseSchedule.linearBetas(T, 1e-4, 0.02), VarianceType.SAME);
    double product = 1;
    for (int t = 0; t < T; t++) {
      product *= 1 - s.beta(t);
      assertEquals(product, s.alphaCumprod(t), 1e-15);
    }
    assertEquals(1.0, s.alphaCumprodPrev(0), 0.0, "abar_{-1} = 1");
    assertEquals(s.alphaCumprod(41), s.alphaCumprodPrev(42), 0.0);
    // Ho et al.: abar_T is about 4e-5 for the linear schedule
    assertTrue(s.alphaCumprod(T - 1) > 1e-5 && s.alphaCumprod(T - 1) < 1e-4);
  }

  @Test
  void posteriorCoefficientsMatchTheClosedForm() {
    NoiseSchedule s = NoiseSchedule.of(NoiseSchedule.linearBetas(T, 1e-4, 0.02), VarianceType.TRUE);
    for (int t : new int[] {1, 10, 500, 999}) {
      double beta = s.beta(t);
      double abar = s.alphaCumprod(t);
      double abarPrev = s.alphaCumprod(t - 1);
      assertEquals(beta * (1 - abarPrev) / (1 - abar), s.posteriorVariance(t), 1e-15);
      assertEquals(beta * Math.sqrt(abarPrev) / (1 - abar), s.posteriorMeanCoef1(t), 1e-13);
      assertEquals((1 - abarPrev) * Math.sqrt(1 - beta) / (1 - abar), s.posteriorMeanCoef2(t), 1e-13);
    }
  }

  @Test
  void posteriorMeanIsConsistentWithQSample() {
    // With x0 known, mu~(x_t, x0) must equal E[x_{t-1} | x_t, x0]; for x_t = sqrt(abar) x0 (no
    // noise), mu~ = c1 x0 + c2 sqrt(abar_t) x0 = sqrt(abar_{t-1}) x0.
    NoiseSchedule s = NoiseSchedule.of(NoiseSchedule.cosineBetas(T, 0.008, 0.999), VarianceType.TRUE);
    for (int t : new int[] {1, 100, 700}) {
      double x0 = 0.37;
      double mean = s.posteriorMeanCoef1(t) * x0 + s.posteriorMeanCoef2(t) * Math.sqrt(s.alphaCumprod(t)) * x0;
      assertEquals(Math.sqrt(s.alphaCumprod(t - 1)) * x0, mean, 1e-12);
    }
  }

  @Test
  void timeZeroEdge() {
    NoiseSchedule same = NoiseSchedule.of(NoiseSchedule.linearBetas(T, 1e-4, 0.02), VarianceType.SAME);
    NoiseSchedule posterior = NoiseSchedule.of(NoiseSchedule.linearBetas(T, 1e-4, 0.02), VarianceType.TRUE);
    assertEquals(0.0, posterior.posteriorVariance(0), 0.0, "var~_0 = beta_0 (1 - 1) / (1 - abar_0) = 0");
    assertEquals(1.0, posterior.posteriorMeanCoef1(0), 1e-12, "mu~_0 = x0");
    assertEquals(0.0, posterior.posteriorMeanCoef2(0), 1e-12);
    assertEquals(0.0, same.reverseVariance(0), 0.0, "no noise is added at the last step");
    assertEquals(Math.log(1e-20), posterior.reverseLogVariance(0), 1e-9, "log is clamped, not -infinity");
    assertEquals(same.beta(5), same.reverseVariance(5), 0.0, "SAME: sigma^2 = beta_t");
    assertEquals(posterior.posteriorVariance(5), posterior.reverseVariance(5), 0.0, "TRUE: sigma^2 = var~_t");
  }
}
