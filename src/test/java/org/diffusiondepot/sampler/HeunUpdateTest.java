package org.diffusiondepot.sampler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.diffusiondepot.proto.VarianceType;
import org.diffusiondepot.schedule.NoiseSchedule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Heun steps and noise levels against Karras et al.'s Algorithm 1 written out in their variables. */
class HeunUpdateTest {
  final NoiseSchedule schedule = NoiseSchedule.of(NoiseSchedule.linearBetas(1000, 1e-4, 0.02), VarianceType.SAME);

  double abar(int t) {
    return schedule.alphaCumprod(t);
  }

  double sigma(int t) {
    return Math.sqrt((1 - abar(t)) / abar(t));
  }

  @Test
  void noiseLevelsAreKarrasRhoSevenRoundedToTheNearestTimestep() {
    // Computed independently (numpy): (80^(1/7) + i/19 (0.01^(1/7) - 80^(1/7)))^7, the model's range being
    // [sigma_0, sigma_999] = [0.0100, 157], each level's label the argmin over t of |sigma_t - level|.
    int[] expected = {930, 900, 869, 835, 797, 756, 711, 661, 603, 538, 462, 374, 280, 188, 113, 62, 30, 12, 4, 0};
    assertArrayEquals(expected, new HeunSampler(schedule, 20, false).timesteps());
    assertArrayEquals(new int[] {930, 767, 501, 98, 0}, new HeunSampler(schedule, 5, false).timesteps());
    assertArrayEquals(new int[] {930}, new HeunSampler(schedule, 1, false).timesteps());
  }

  @Test
  void longChainsMergeLevelsThatRoundToOneTimestep() {
    HeunSampler heun = new HeunSampler(schedule, 100, false);
    int[] ts = heun.timesteps();
    assertTrue(ts.length < 100, "levels near sigma_min merge, got " + ts.length);
    for (int i = 1; i < ts.length; i++) {
      assertTrue(ts[i] < ts[i - 1]);
    }
    assertEquals(2 * ts.length - 1, heun.evaluations());
  }

  /** D(x; sigma_t) = x0_hat, clipped to [-1, 1] when the sampler clips. */
  double denoised(int t, double state, double eps, boolean clip) {
    double x0 = (state - Math.sqrt(1 - abar(t)) * eps) / Math.sqrt(abar(t));
    return clip ? Math.max(-1, Math.min(1, x0)) : x0;
  }

  @ParameterizedTest(name = "clip {0}")
  @ValueSource(booleans = {false, true})
  void aStepIsEulerThenTheTrapezoidalCorrection(boolean clip) {
    HeunSampler heun = new HeunSampler(schedule, 5, clip);  // 930, 767, 501, 98, 0
    float[] x = {0.8f, -0.3f};
    float[] eps = {0.2f, -0.7f};
    List<Integer> seen = new ArrayList<>();
    ChainModel model = (state, t) -> {
      seen.add(t);
      float[] out = new float[state.length];
      for (int i = 0; i < state.length; i++) {
        out[i] = 0.5f * state[i] - 0.1f;  // any network
      }
      return out;
    };
    double[] expected = new double[2];
    for (int i = 0; i < 2; i++) {
      // x_i = x_t / sqrt(abar), D = x0_hat, d = (x_i - D) / sigma.
      double big = x[i] / Math.sqrt(abar(767));
      double d = (big - denoised(767, x[i], eps[i], clip)) / sigma(767);
      double next = big + (sigma(501) - sigma(767)) * d;
      double nextState = next * Math.sqrt(abar(501));
      double nextEps = 0.5 * (float) nextState - 0.1;
      double dNext = (next - denoised(501, nextState, nextEps, clip)) / sigma(501);
      expected[i] = Math.sqrt(abar(501)) * (big + (sigma(501) - sigma(767)) * (0.5 * d + 0.5 * dNext));
    }
    heun.step(1, x, eps, new float[2], new Random(1), model);
    assertEquals(List.of(501), seen, "one more evaluation, at the next level");
    assertEquals(expected[0], x[0], 1e-4);
    assertEquals(expected[1], x[1], 1e-4);
  }

  @Test
  void theLastStepIsEulerToSigmaZeroAndNeedsNoEvaluation() {
    HeunSampler heun = new HeunSampler(schedule, 5, true);
    float[] x = {1.02f, 0.3f};  // x0_hat = 1.03 for the first
    float[] eps = {-0.9f, 0.1f};
    ChainModel none = (state, t) -> {
      throw new AssertionError("the last step evaluates nothing");
    };
    double x0 = (x[1] - Math.sqrt(1 - abar(0)) * eps[1]) / Math.sqrt(abar(0));
    heun.step(4, x, eps, new float[2], new Random(1), none);
    assertEquals(1.0, x[0], 1e-6, "D(x; sigma) is clipped, and x_N = D");
    assertEquals(x0, x[1], 1e-6);
  }
}
