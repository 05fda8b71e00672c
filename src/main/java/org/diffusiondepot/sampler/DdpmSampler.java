package org.diffusiondepot.sampler;

import java.util.Random;
import org.diffusiondepot.schedule.NoiseSchedule;

/**
 * Ancestral sampling over the full chain (Ho et al. 2020): x_{t-1} = mu~_t(x_t, x0_hat) + sigma_t z,
 * with mu~_t = c1 x0_hat + c2 x_t the posterior mean and sigma_t^2 the schedule's variance type
 * ("same": beta_t, "true": the posterior variance); no noise at t = 0.
 */
public final class DdpmSampler extends Sampler {
  private final int[] timesteps;

  public DdpmSampler(NoiseSchedule schedule, boolean clipDenoised) {
    super(schedule, clipDenoised);
    timesteps = new int[schedule.timesteps()];
    for (int i = 0; i < timesteps.length; i++) {
      timesteps[i] = timesteps.length - 1 - i;
    }
  }

  @Override
  public int[] timesteps() {
    return timesteps.clone();
  }

  @Override
  protected void step(int index, float[] x, float[] eps, float[] x0, Random random) {
    int t = timesteps[index];
    predictX0(schedule.alphaCumprod(t), x, eps, x0);
    double c1 = schedule.posteriorMeanCoef1(t);
    double c2 = schedule.posteriorMeanCoef2(t);
    double sigma = Math.sqrt(schedule.reverseVariance(t));
    for (int i = 0; i < x.length; i++) {
      double mean = c1 * x0[i] + c2 * x[i];
      x[i] = (float) (t > 0 ? mean + sigma * random.nextGaussian() : mean);
    }
  }
}
