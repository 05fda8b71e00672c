package org.diffusiondepot.sampler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.diffusiondepot.proto.VarianceType;
import org.diffusiondepot.sampler.DpmPlusPlus2MSampler.Spacing;
import org.diffusiondepot.schedule.NoiseSchedule;
import org.junit.jupiter.api.Test;

/** SDE-DPM-Solver++(2M) steps against the paper's formulas written out here. */
class DpmPlusPlus2MSdeUpdateTest {
  final NoiseSchedule schedule = NoiseSchedule.of(NoiseSchedule.linearBetas(1000, 1e-4, 0.02), VarianceType.SAME);

  double abar(int t) {
    return schedule.alphaCumprod(t);
  }

  double lambda(int t) {
    return Math.log(Math.sqrt(abar(t)) / Math.sqrt(1 - abar(t)));
  }

  @Test
  void usesTheOdeSolversGrid() {
    for (Spacing spacing : Spacing.values()) {
      assertArrayEquals(new DpmPlusPlus2MSampler(schedule, 20, spacing, false).timesteps(),
          new DpmPlusPlus2MSdeSampler(schedule, 20, spacing, false).timesteps());
    }
  }

  /** Without history the step is the DDPM posterior between the two timesteps: DDIM with eta 1. */
  @Test
  void firstStepIsDdimWithEtaOne() {
    DpmPlusPlus2MSdeSampler sde = new DpmPlusPlus2MSdeSampler(schedule, 4, Spacing.TIME_UNIFORM, false);
    float[] x = {0.5f, -1.2f};
    float[] eps = {0.1f, -0.4f};
    Random draws = new Random(7);
    double[] expected = new double[2];
    double sigma = Math.sqrt((1 - abar(749)) / (1 - abar(999))) * Math.sqrt(1 - abar(999) / abar(749));
    for (int i = 0; i < 2; i++) {
      double x0 = (x[i] - Math.sqrt(1 - abar(999)) * eps[i]) / Math.sqrt(abar(999));
      expected[i] = Math.sqrt(abar(749)) * x0 + Math.sqrt(1 - abar(749) - sigma * sigma) * eps[i]
          + sigma * draws.nextGaussian();
    }
    sde.step(0, x, eps, new float[2], new Random(7));
    assertEquals(expected[0], x[0], 1e-5);
    assertEquals(expected[1], x[1], 1e-5);
  }

  @Test
  void laterStepsAddTheMultistepCorrectionAndTheSdeNoise() {
    DpmPlusPlus2MSdeSampler sde = new DpmPlusPlus2MSdeSampler(schedule, 20, Spacing.TIME_UNIFORM, false);
    int[] ts = sde.timesteps();
    float[] x = {0.7f, -0.2f};
    float[] eps = {0.3f, 0.9f};
    float[] x0 = {0.25f, -0.6f};  // step 1's x_theta
    double h = lambda(ts[3]) - lambda(ts[2]);
    double r = (lambda(ts[2]) - lambda(ts[1])) / h;
    Random draws = new Random(3);
    double[] expected = new double[2];
    for (int i = 0; i < 2; i++) {
      double data = (x[i] - Math.sqrt(1 - abar(ts[2])) * eps[i]) / Math.sqrt(abar(ts[2]));
      double d = data + (data - x0[i]) / (2 * r);
      expected[i] = Math.sqrt(1 - abar(ts[3])) / Math.sqrt(1 - abar(ts[2])) * Math.exp(-h) * x[i]
          + Math.sqrt(abar(ts[3])) * (1 - Math.exp(-2 * h)) * d
          + Math.sqrt(1 - abar(ts[3])) * Math.sqrt(1 - Math.exp(-2 * h)) * draws.nextGaussian();
    }
    sde.step(2, x, eps, x0, new Random(3));
    assertEquals(expected[0], x[0], 1e-5);
    assertEquals(expected[1], x[1], 1e-5);
  }

  @Test
  void theLastStepIsTheDataPredictionWithoutNoise() {
    DpmPlusPlus2MSdeSampler sde = new DpmPlusPlus2MSdeSampler(schedule, 4, Spacing.TIME_UNIFORM, false);
    float[] x = {0.4f};
    float[] eps = {-0.5f};
    double data = (x[0] - Math.sqrt(1 - abar(250)) * eps[0]) / Math.sqrt(abar(250));
    Random random = new Random(5);
    sde.step(3, x, eps, new float[] {3f}, random);
    assertEquals(data, x[0], 1e-5);
    assertEquals(new Random(5).nextGaussian(), random.nextGaussian(), "no draw was taken");
  }
}
