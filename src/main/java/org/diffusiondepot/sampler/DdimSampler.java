package org.diffusiondepot.sampler;

import java.util.Random;
import java.util.TreeSet;
import org.diffusiondepot.schedule.NoiseSchedule;

/**
 * DDIM (Song et al. 2021) on a respaced subsequence of K timesteps:
 * <pre>
 *   sigma = eta sqrt((1 - abar_prev) / (1 - abar_t)) sqrt(1 - abar_t / abar_prev)
 *   x_prev = sqrt(abar_prev) x0_hat + sqrt(1 - abar_prev - sigma^2) eps + sigma z
 * </pre>
 * eta = 0 is deterministic; eta = 1 matches DDPM's "true" variance on the respaced chain. Only
 * alphas_cumprod is needed. After the last step (t = timesteps[K-1]) abar_prev = 1.
 */
public final class DdimSampler extends Sampler {
  private final int[] timesteps;
  private final double eta;

  public DdimSampler(NoiseSchedule schedule, int steps, double eta, boolean clipDenoised) {
    super(schedule, clipDenoised);
    if (steps < 1 || steps > schedule.timesteps()) {
      throw new IllegalArgumentException("DDIM steps must be in 1.." + schedule.timesteps() + ", got " + steps);
    }
    if (eta < 0) {
      throw new IllegalArgumentException("eta must be >= 0, got " + eta);
    }
    this.timesteps = respace(schedule.timesteps(), steps);
    this.eta = eta;
  }

  /** K timesteps spread evenly over 0..T-1 (always including T-1 and 0), descending. */
  public static int[] respace(int total, int steps) {
    TreeSet<Integer> chosen = new TreeSet<>();
    for (int i = 0; i < steps; i++) {
      chosen.add(steps == 1 ? total - 1 : (int) Math.round((double) i * (total - 1) / (steps - 1)));
    }
    return chosen.descendingSet().stream().mapToInt(Integer::intValue).toArray();
  }

  @Override
  public int[] timesteps() {
    return timesteps.clone();
  }

  @Override
  protected void step(int index, float[] x, float[] eps, float[] x0, Random random) {
    int t = timesteps[index];
    double abar = schedule.alphaCumprod(t);
    double abarPrev = index + 1 < timesteps.length ? schedule.alphaCumprod(timesteps[index + 1]) : 1.0;
    predictX0(abar, x, eps, x0);
    double sigma = eta * Math.sqrt((1 - abarPrev) / (1 - abar)) * Math.sqrt(1 - abar / abarPrev);
    double direction = Math.sqrt(Math.max(0.0, 1 - abarPrev - sigma * sigma));
    double signal = Math.sqrt(abarPrev);
    for (int i = 0; i < x.length; i++) {
      double next = signal * x0[i] + direction * eps[i];
      if (sigma > 0) {
        next += sigma * random.nextGaussian();
      }
      x[i] = (float) next;
    }
  }
}
