package org.diffusiondepot.report;

import java.util.Random;
import org.diffusiondepot.schedule.NoiseSchedule;

/**
 * Samples q(x_t | x_0) = N(sqrt(abar_t) x_0, (1 - abar_t) I) for the strip of the forward process.
 * Column "t = 0" is the data x_0 itself, as in the papers' figures: the schedule's index 0 is
 * already one noising step (beta_0), which would make the first column a slightly noisy copy.
 */
final class ForwardProcess {
  /** The columns of the strip. */
  static final int[] TIMESTEPS = {0, 100, 250, 500, 750, 999};

  private ForwardProcess() {}

  /** The strip's columns clamped to the schedule's length (short schedules end at T - 1). */
  static int[] timesteps(int total) {
    return java.util.Arrays.stream(TIMESTEPS).map(t -> Math.min(t, total - 1)).distinct().toArray();
  }

  /** One image at each of {@code timesteps}: the strip's row. */
  static float[][] strip(NoiseSchedule schedule, float[] x0, int[] timesteps, Random random) {
    float[][] row = new float[timesteps.length][];
    for (int i = 0; i < timesteps.length; i++) {
      row[i] = noised(schedule, x0, timesteps[i], random);
    }
    return row;
  }

  /** x_t for one or more images; a fresh Gaussian draw per value from {@code random}. */
  static float[] noised(NoiseSchedule schedule, float[] x0, int t, Random random) {
    float[] xt = new float[x0.length];
    if (t == 0) {
      System.arraycopy(x0, 0, xt, 0, x0.length);
      return xt;
    }
    double signal = schedule.sqrtAlphaCumprod(t);
    double noise = schedule.sqrtOneMinusAlphaCumprod(t);
    for (int i = 0; i < x0.length; i++) {
      xt[i] = (float) (signal * x0[i] + noise * random.nextGaussian());
    }
    return xt;
  }
}
