package org.diffusiondepot.sampler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.diffusiondepot.proto.VarianceType;
import org.diffusiondepot.sampler.DpmPlusPlus2MSampler.Spacing;
import org.diffusiondepot.schedule.NoiseSchedule;
import org.junit.jupiter.api.Test;

/** DPM-Solver++(2M) steps and grids, ODE and SDE, against the paper's formulas written out here. */
class DpmPlusPlus2MUpdateTest {
  final NoiseSchedule schedule = NoiseSchedule.of(NoiseSchedule.linearBetas(1000, 1e-4, 0.02), VarianceType.SAME);

  double abar(int t) {
    return schedule.alphaCumprod(t);
  }

  /** lambda = log(alpha / sigma). */
  double lambda(int t) {
    return Math.log(Math.sqrt(abar(t)) / Math.sqrt(1 - abar(t)));
  }

  @Test
  void timeUniformGridIsTheReferenceLinspaceRounded() {
    // linspace(1, 1/T, M + 1) in continuous time is linspace(999, 0, M + 1) in labels: 999, 749.25, 499.5, 249.75, 0.
    assertArrayEquals(new int[] {999, 749, 500, 250}, new DpmPlusPlus2MSampler(schedule, 4, Spacing.TIME_UNIFORM, false)
        .timesteps());
  }

  @Test
  void logSnrGridIsUniformInLambdaRoundedInLogAlpha() {
    // Computed independently (numpy): lambda = linspace(lambda_999, lambda_0, 21), each point's label the
    // argmin over t of |log alpha_t - log alpha(lambda)|.
    int[] expected = {999, 950, 898, 843, 785, 722, 653, 577, 492, 399, 302, 211, 138, 86, 52, 30, 17, 9, 4, 1};
    assertArrayEquals(expected, new DpmPlusPlus2MSampler(schedule, 20, Spacing.LOG_SNR, false).timesteps());
    assertArrayEquals(new int[] {999, 722, 302, 30}, new DpmPlusPlus2MSampler(schedule, 4, Spacing.LOG_SNR, false)
        .timesteps());
  }

  @Test
  void fineGridsMergePointsThatRoundToOneTimestep() {
    int[] ts = new DpmPlusPlus2MSampler(schedule, 100, Spacing.LOG_SNR, false).timesteps();
    assertTrue(ts.length < 100, "points near t = 0 merge, got " + ts.length);
    for (int i = 1; i < ts.length; i++) {
      assertTrue(ts[i] < ts[i - 1]);
    }
    assertTrue(ts[ts.length - 1] > 0, "t = 0 is the end point, not evaluated");
    assertEquals(999, new DpmPlusPlus2MSampler(schedule, 999, Spacing.TIME_UNIFORM, false).timesteps().length);
    assertThrows(IllegalArgumentException.class, () -> new DpmPlusPlus2MSampler(schedule, 1000, Spacing.LOG_SNR, false));
  }

  @Test
  void cosineChainsStartWhereLogSnrIsAboveTheReferenceClip() {
    NoiseSchedule cosine = NoiseSchedule.of(NoiseSchedule.cosineBetas(1000, 0.008, 0.999), VarianceType.TRUE);
    int start = new DpmPlusPlus2MSampler(cosine, 10, Spacing.LOG_SNR, false).timesteps()[0];
    double lambdaStart = 0.5 * Math.log(cosine.alphaCumprod(start) / (1 - cosine.alphaCumprod(start)));
    double lambdaAfter = 0.5 * Math.log(cosine.alphaCumprod(start + 1) / (1 - cosine.alphaCumprod(start + 1)));
    assertTrue(start < 999 && lambdaStart >= -5.1 && lambdaAfter < -5.1, "start " + start + ", lambda " + lambdaStart);
  }

  @Test
  void firstStepIsFirstOrderAndEqualsDdim() {
    DpmPlusPlus2MSampler dpm = new DpmPlusPlus2MSampler(schedule, 4, Spacing.TIME_UNIFORM, false);
    float[] x = {0.5f, -1.2f};
    float[] eps = {0.1f, -0.4f};
    double[] expected = new double[2];
    for (int i = 0; i < 2; i++) {
      // DDIM, eta 0, from 999 to 749 (Lu et al.: DPM-Solver++1 is DDIM).
      double x0 = (x[i] - Math.sqrt(1 - abar(999)) * eps[i]) / Math.sqrt(abar(999));
      expected[i] = Math.sqrt(abar(749)) * x0 + Math.sqrt(1 - abar(749)) * eps[i];
    }
    dpm.step(0, x, eps, new float[2], new Random(1));
    assertEquals(expected[0], x[0], 1e-5);
    assertEquals(expected[1], x[1], 1e-5);
  }

  @Test
  void laterStepsExtrapolateTheDataPredictionWithRatioR() {
    DpmPlusPlus2MSampler dpm = new DpmPlusPlus2MSampler(schedule, 20, Spacing.TIME_UNIFORM, false);
    int[] ts = dpm.timesteps();  // 999, 949, 899, ...: step 2 goes from 899 to 849, after 949
    float[] x = {0.7f, -0.2f};
    float[] eps = {0.3f, 0.9f};
    float[] x0 = {0.25f, -0.6f};  // what step 1 predicted at t = 949
    double h = lambda(ts[3]) - lambda(ts[2]);
    double r = (lambda(ts[2]) - lambda(ts[1])) / h;
    double[] expected = new double[2];
    for (int i = 0; i < 2; i++) {
      double data = (x[i] - Math.sqrt(1 - abar(ts[2])) * eps[i]) / Math.sqrt(abar(ts[2]));
      double d = (1 + 1 / (2 * r)) * data - 1 / (2 * r) * x0[i];
      expected[i] = Math.sqrt(1 - abar(ts[3])) / Math.sqrt(1 - abar(ts[2])) * x[i]
          - Math.sqrt(abar(ts[3])) * (Math.exp(-h) - 1) * d;
    }
    assertEquals(899, ts[2]);
    assertTrue(Math.abs(r - 1) > 0.05, "time-uniform steps are not uniform in lambda: r = " + r);
    dpm.step(2, x, eps, x0, new Random(1));
    assertEquals(expected[0], x[0], 1e-5);
    assertEquals(expected[1], x[1], 1e-5);
  }

  @Test
  void theLastStepGoesToXZeroWithoutAnotherEvaluation() {
    DpmPlusPlus2MSampler dpm = new DpmPlusPlus2MSampler(schedule, 4, Spacing.TIME_UNIFORM, false);
    float[] x = {0.4f};
    float[] eps = {-0.5f};
    float[] x0 = {3f};  // a history the last step must ignore: at lambda = infinity, x = x_theta
    double data = (x[0] - Math.sqrt(1 - abar(250)) * eps[0]) / Math.sqrt(abar(250));
    dpm.step(3, x, eps, x0, new Random(1));
    assertEquals(data, x[0], 1e-5);
    DpmPlusPlus2MSampler one = new DpmPlusPlus2MSampler(schedule, 1, Spacing.LOG_SNR, false);
    assertArrayEquals(new int[] {999}, one.timesteps());
  }

  @Test
  void clippedDataPredictionIsWhatTheStepExtrapolates() {
    DpmPlusPlus2MSampler dpm = new DpmPlusPlus2MSampler(schedule, 4, Spacing.TIME_UNIFORM, true);
    float[] x = {0.9f};
    float[] eps = {-0.5f};  // x0_hat = (0.9 + 0.5 sqrt(1 - abar)) / sqrt(abar) ~ 24 at t = 749
    float[] x0 = {0.2f};    // step 0's x_theta at t = 999
    double h = lambda(500) - lambda(749);
    double r = (lambda(749) - lambda(999)) / h;
    double d = (1 + 1 / (2 * r)) * 1.0 - 1 / (2 * r) * 0.2f;
    double expected = Math.sqrt(1 - abar(500)) / Math.sqrt(1 - abar(749)) * x[0]
        - Math.sqrt(abar(500)) * (Math.exp(-h) - 1) * d;
    dpm.step(1, x, eps, x0, new Random(1));
    assertEquals(1.0f, x0[0]);
    assertEquals(expected, x[0], 1e-5);
  }

  /** Without history the step is the DDPM posterior between the two timesteps: DDIM with eta 1. */
  @Test
  void stochasticFirstStepIsDdimWithEtaOne() {
    DpmPlusPlus2MSampler sde = new DpmPlusPlus2MSampler(schedule, 4, Spacing.TIME_UNIFORM, false, true);
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
  void stochasticLaterStepsAddTheMultistepCorrectionAndTheSdeNoise() {
    DpmPlusPlus2MSampler sde = new DpmPlusPlus2MSampler(schedule, 20, Spacing.TIME_UNIFORM, false, true);
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
  void stochasticLastStepIsTheDataPredictionWithoutNoise() {
    DpmPlusPlus2MSampler sde = new DpmPlusPlus2MSampler(schedule, 4, Spacing.TIME_UNIFORM, false, true);
    float[] x = {0.4f};
    float[] eps = {-0.5f};
    double data = (x[0] - Math.sqrt(1 - abar(250)) * eps[0]) / Math.sqrt(abar(250));
    Random random = new Random(5);
    sde.step(3, x, eps, new float[] {3f}, random);
    assertEquals(data, x[0], 1e-5);
    assertEquals(new Random(5).nextGaussian(), random.nextGaussian(), "no draw was taken");
  }
}
