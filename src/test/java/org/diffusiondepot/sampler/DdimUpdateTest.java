package org.diffusiondepot.sampler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.diffusiondepot.proto.VarianceType;
import org.diffusiondepot.schedule.NoiseSchedule;
import org.junit.jupiter.api.Test;

/** One DDIM and one DDPM step against the update written out from the papers. */
class DdimUpdateTest {
  final NoiseSchedule schedule = NoiseSchedule.of(NoiseSchedule.linearBetas(1000, 1e-4, 0.02), VarianceType.TRUE);

  @Test
  void respacingSpansTheChain() {
    assertArrayEquals(new int[] {999, 666, 333, 0}, DdimSampler.respace(1000, 4));
    assertEquals(1000, DdimSampler.respace(1000, 1000).length);
    assertArrayEquals(new int[] {999}, DdimSampler.respace(1000, 1));
  }

  @Test
  void deterministicDdimStep() {
    DdimSampler ddim = new DdimSampler(schedule, 4, 0.0, false);
    float[] x = {0.5f, -1.2f};
    float[] eps = {0.1f, -0.4f};
    float[] x0 = new float[2];
    double abar = schedule.alphaCumprod(999);
    double abarPrev = schedule.alphaCumprod(666);
    double[] expected = new double[2];
    for (int i = 0; i < 2; i++) {
      double x0hat = (x[i] - Math.sqrt(1 - abar) * eps[i]) / Math.sqrt(abar);
      expected[i] = Math.sqrt(abarPrev) * x0hat + Math.sqrt(1 - abarPrev) * eps[i];
    }
    ddim.step(0, x, eps, x0, new Random(1));
    assertEquals(expected[0], x[0], 1e-5);
    assertEquals(expected[1], x[1], 1e-5);
  }

  @Test
  void stochasticDdimStepUsesTheEtaSigma() {
    double eta = 0.7;
    DdimSampler ddim = new DdimSampler(schedule, 4, eta, false);
    float[] x = {0.5f};
    float[] eps = {0.1f};
    double abar = schedule.alphaCumprod(333);
    double abarPrev = schedule.alphaCumprod(0);
    double sigma = eta * Math.sqrt((1 - abarPrev) / (1 - abar)) * Math.sqrt(1 - abar / abarPrev);
    double z = new Random(9).nextGaussian();
    double x0hat = (x[0] - Math.sqrt(1 - abar) * eps[0]) / Math.sqrt(abar);
    double expected = Math.sqrt(abarPrev) * x0hat + Math.sqrt(1 - abarPrev - sigma * sigma) * eps[0] + sigma * z;
    ddim.step(2, x, eps, new float[1], new Random(9));
    assertEquals(expected, x[0], 1e-5);
  }

  @Test
  void ddpmStepIsThePosteriorMeanPlusSigmaZ() {
    DdpmSampler ddpm = new DdpmSampler(schedule, true);
    int t = 500;
    int index = 999 - t;
    float[] x = {2.5f};
    float[] eps = {-0.3f};
    double abar = schedule.alphaCumprod(t);
    double x0hat = Math.max(-1, Math.min(1, (x[0] - Math.sqrt(1 - abar) * eps[0]) / Math.sqrt(abar)));
    double mean = schedule.posteriorMeanCoef1(t) * x0hat + schedule.posteriorMeanCoef2(t) * x[0];
    double z = new Random(4).nextGaussian();
    ddpm.step(index, x, eps, new float[1], new Random(4));
    assertEquals(mean + Math.sqrt(schedule.posteriorVariance(t)) * z, x[0], 1e-5);
  }
}
