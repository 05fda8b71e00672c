package org.diffusiondepot.sampler;

import java.util.Random;
import java.util.TreeSet;
import org.diffusiondepot.schedule.NoiseSchedule;

/**
 * Heun's second-order method on the probability-flow ODE, deterministic (Karras et al. 2022,
 * "Elucidating the Design Space of Diffusion-Based Generative Models", Algorithm 1 with
 * sigma(t) = t and s(t) = 1, i.e. Algorithm 2 without churn):
 * <pre>
 *   sigma_i = (sigma_max^(1/rho) + i / (N-1) (sigma_min^(1/rho) - sigma_max^(1/rho)))^rho,  i &lt; N;  sigma_N = 0
 *   d_i     = (x_i - D(x_i; sigma_i)) / sigma_i
 *   x_{i+1} = x_i + (sigma_{i+1} - sigma_i) d_i
 *   if sigma_{i+1} != 0:
 *     d'_i    = (x_{i+1} - D(x_{i+1}; sigma_{i+1})) / sigma_{i+1}
 *     x_{i+1} = x_i + (sigma_{i+1} - sigma_i) (d_i / 2 + d'_i / 2)
 * </pre>
 * with rho = 7. Two network evaluations per step except the last (an Euler step to sigma = 0):
 * 2N - 1 in all.
 *
 * <p><b>Our variance-preserving model in their terms.</b> x = x_t / sqrt(abar_t) and
 * sigma_t = sqrt((1 - abar_t) / abar_t); the denoiser D(x; sigma_t) is the estimate x0_hat, so
 * d = (x - x0_hat) / sigma_t is exactly the predicted eps (re-derived from the clipped x0_hat when
 * {@code clipDenoised}, which keeps d consistent with the clipped D). The Euler step alone is then
 * DDIM with eta 0. The chain keeps x_t between steps, so constraints and listeners see the usual
 * state.
 *
 * <p><b>Noise levels.</b> As in the paper's code ({@code edm_sampler} in NVlabs/edm), sigma_min
 * = 0.002 and sigma_max = 80 are first clamped to the range the network supports (sigma_0 and
 * sigma_{T-1}: [0.01, 80] for the linear schedule), and each sigma_i is then rounded to the
 * nearest supported noise level ({@code round_sigma}: nearest in sigma) and used exactly, so the
 * solver's sigma and the network's timestep agree. Levels that round to the same timestep would
 * be zero-length steps that cost two evaluations and change nothing; they are merged, so long
 * chains take a few steps fewer (from N = 69 on for the linear schedule with T = 1000; 100 steps
 * become 98). The chain starts from x_t ~ N(0, I) at the timestep of sigma_max, like the other
 * samplers (the paper's x ~ N(0, sigma_max^2 I) in its variables, up to the negligible
 * 1 + sigma_max^2).
 */
public final class HeunSampler extends Sampler {
  static final double RHO = 7;
  static final double SIGMA_MIN = 0.002;
  static final double SIGMA_MAX = 80;

  private final int[] timesteps;

  public HeunSampler(NoiseSchedule schedule, int steps, boolean clipDenoised) {
    super(schedule, clipDenoised);
    if (steps < 1 || steps > schedule.timesteps()) {
      throw new IllegalArgumentException("Heun steps must be in 1.." + schedule.timesteps() + ", got " + steps);
    }
    this.timesteps = karrasTimesteps(schedule, steps);
  }

  /** sigma_t = sqrt((1 - abar_t) / abar_t), the noise level of timestep t in Karras et al.'s variables. */
  static double sigma(NoiseSchedule schedule, int t) {
    double abar = schedule.alphaCumprod(t);
    return Math.sqrt((1 - abar) / abar);
  }

  /** The Karras et al. noise levels sigma_0..sigma_{N-1}, each as its nearest timestep, descending, merged. */
  static int[] karrasTimesteps(NoiseSchedule schedule, int steps) {
    int last = schedule.timesteps() - 1;
    double min = Math.max(SIGMA_MIN, sigma(schedule, 0));
    double max = Math.min(SIGMA_MAX, sigma(schedule, last));
    double minRoot = Math.pow(min, 1 / RHO);
    double maxRoot = Math.pow(max, 1 / RHO);
    TreeSet<Integer> chosen = new TreeSet<>();
    for (int i = 0; i < steps; i++) {
      double ramp = steps == 1 ? 0 : (double) i / (steps - 1);
      double level = Math.pow(maxRoot + ramp * (minRoot - maxRoot), RHO);
      int nearest = 0;
      for (int t = 1; t <= last; t++) {
        if (Math.abs(sigma(schedule, t) - level) < Math.abs(sigma(schedule, nearest) - level)) {
          nearest = t;
        }
      }
      chosen.add(nearest);
    }
    return chosen.descendingSet().stream().mapToInt(Integer::intValue).toArray();
  }

  @Override
  public int[] timesteps() {
    return timesteps.clone();
  }

  /** Two evaluations per step, one in the last. */
  @Override
  public int evaluations() {
    return 2 * timesteps.length - 1;
  }

  /** The Euler step alone (the last step, or a step with no network at hand). */
  @Override
  protected void step(int index, float[] x, float[] eps, float[] x0, Random random) {
    step(index, x, eps, x0, random, null);
  }

  @Override
  protected void step(int index, float[] x, float[] eps, float[] x0, Random random, ChainModel model) {
    int t = timesteps[index];
    boolean last = index + 1 == timesteps.length;
    double abar = schedule.alphaCumprod(t);
    double sqrtAbar = Math.sqrt(abar);
    double sigma = sigma(schedule, t);
    double sqrtAbarNext = last ? 1.0 : Math.sqrt(schedule.alphaCumprod(timesteps[index + 1]));
    double sigmaNext = last ? 0.0 : sigma(schedule, timesteps[index + 1]);
    double dSigma = sigmaNext - sigma;
    predictX0(abar, x, eps, x0);  // d_i = eps, consistent with the (clipped) D(x_i; sigma_i)
    float[] euler = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      euler[i] = (float) (sqrtAbarNext * (x[i] / sqrtAbar + dSigma * eps[i]));
    }
    if (last || model == null) {
      System.arraycopy(euler, 0, x, 0, x.length);
      return;
    }
    float[] epsNext = model.eps(euler, timesteps[index + 1]);
    predictX0(schedule.alphaCumprod(timesteps[index + 1]), euler, epsNext, new float[x.length]);  // d'_i
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (sqrtAbarNext * (x[i] / sqrtAbar + dSigma * 0.5 * (eps[i] + epsNext[i])));
    }
  }
}
