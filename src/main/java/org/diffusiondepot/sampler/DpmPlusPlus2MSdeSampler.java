package org.diffusiondepot.sampler;

import java.util.Random;
import org.diffusiondepot.schedule.NoiseSchedule;

/**
 * SDE-DPM-Solver++(2M) (Lu et al. 2022, "DPM-Solver++", the second-order multistep solver of the
 * diffusion SDE in its data-prediction form, section 5 and appendix). With alpha, sigma, lambda and
 * x_theta as in {@link DpmPlusPlus2MSampler}, h_i = lambda_{t_i} - lambda_{t_{i-1}} and z ~ N(0, I):
 * <pre>
 *   x_{t_i} = (sigma_{t_i} / sigma_{t_{i-1}}) e^{-h_i} x_{t_{i-1}} + alpha_{t_i} (1 - e^{-2 h_i}) D_i
 *             + sigma_{t_i} sqrt(1 - e^{-2 h_i}) z
 *   D_i = x_theta(x_{t_{i-1}}) + (1 / (2 r_i)) (x_theta(x_{t_{i-1}}) - x_theta(x_{t_{i-2}})),  r_i = h_{i-1} / h_i
 * </pre>
 * (the midpoint form of diffusers' {@code sde-dpmsolver++} and k-diffusion's
 * {@code sample_dpmpp_2m_sde}). The first step has no history and is first order, D_1 =
 * x_theta: that step is exactly the DDPM posterior q(x_{t_i} | x_{t_{i-1}}, x_theta), i.e. DDIM with
 * eta 1 between the same two timesteps. So this sampler is DDIM eta 1 plus the multistep correction
 * of the data prediction.
 *
 * <p>Why a stochastic solver: on the 2000-step demo models, deterministic chains (DDIM eta 0,
 * DPM-Solver++(2M), Heun) all leave a fine grain that stochastic DDIM does not: the fresh noise of
 * each step lets the network correct the errors of the steps before it (Karras et al. 2022, section
 * 4), where an ODE solver carries them to the end. The grid and the last step (to sigma = 0, x =
 * x_theta) are those of {@link DpmPlusPlus2MSampler}; the default spacing is the log-SNR one.
 */
public final class DpmPlusPlus2MSdeSampler extends Sampler {
  private final int[] grid;
  private final double[] lambda;

  public DpmPlusPlus2MSdeSampler(NoiseSchedule schedule, int steps, DpmPlusPlus2MSampler.Spacing spacing,
      boolean clipDenoised) {
    super(schedule, clipDenoised);
    if (steps < 1 || steps > schedule.timesteps() - 1) {
      throw new IllegalArgumentException("SDE-DPM-Solver++ steps must be in 1.." + (schedule.timesteps() - 1)
          + ", got " + steps);
    }
    this.grid = DpmPlusPlus2MSampler.grid(schedule, steps, spacing);
    this.lambda = new double[grid.length];
    for (int i = 0; i < grid.length; i++) {
      lambda[i] = DpmPlusPlus2MSampler.lambda(schedule, grid[i]);
    }
  }

  /** The evaluated timesteps t_0 .. t_{M-1}; the last step goes from t_{M-1} to x_0. */
  @Override
  public int[] timesteps() {
    return java.util.Arrays.copyOf(grid, grid.length - 1);
  }

  @Override
  protected void step(int index, float[] x, float[] eps, float[] x0, Random random) {
    double abar = schedule.alphaCumprod(grid[index]);
    if (index == grid.length - 2) {
      // At lambda = +infinity, e^{-h} = 0: x = x_theta and no noise is added.
      predictX0(abar, x, eps, x0);
      System.arraycopy(x0, 0, x, 0, x.length);
      return;
    }
    boolean firstOrder = index == 0;
    float[] previous = firstOrder ? null : x0.clone();
    double abarNext = schedule.alphaCumprod(grid[index + 1]);
    predictX0(abar, x, eps, x0);
    double h = lambda[index + 1] - lambda[index];
    double sigmaNext = Math.sqrt(1 - abarNext);
    double keep = sigmaNext / Math.sqrt(1 - abar) * Math.exp(-h);
    double dataCoef = -Math.sqrt(abarNext) * Math.expm1(-2 * h);     // alpha_{t_i} (1 - e^{-2h})
    double noise = sigmaNext * Math.sqrt(-Math.expm1(-2 * h));       // sigma_{t_i} sqrt(1 - e^{-2h})
    double half = firstOrder ? 0 : 0.5 * h / (lambda[index] - lambda[index - 1]);  // 1 / (2 r_i)
    for (int i = 0; i < x.length; i++) {
      double d = firstOrder ? x0[i] : (1 + half) * x0[i] - half * previous[i];
      x[i] = (float) (keep * x[i] + dataCoef * d + noise * random.nextGaussian());
    }
  }
}
