package org.diffusiondepot.schedule;

import org.diffusiondepot.proto.DiffusionConfig;
import org.diffusiondepot.proto.VarianceType;

/**
 * All host-side diffusion math, in double precision, with the names of the papers (Ho et al. 2020;
 * Nichol and Dhariwal 2021). Indices run over t = 0 .. T-1, where t = 0 is the least noisy step.
 * Shared by the trainer (to build the graph's constant tables) and the samplers.
 */
public final class NoiseSchedule {
  private final double[] betas;
  private final double[] alphasCumprod;
  private final double[] alphasCumprodPrev;
  private final double[] posteriorVariance;
  private final double[] posteriorMeanCoef1;
  private final double[] posteriorMeanCoef2;
  private final VarianceType varianceType;

  private NoiseSchedule(double[] betas, VarianceType varianceType) {
    int steps = betas.length;
    this.betas = betas.clone();
    this.varianceType = varianceType;
    alphasCumprod = new double[steps];
    alphasCumprodPrev = new double[steps];
    posteriorVariance = new double[steps];
    posteriorMeanCoef1 = new double[steps];
    posteriorMeanCoef2 = new double[steps];
    double cumprod = 1.0;
    for (int t = 0; t < steps; t++) {
      alphasCumprodPrev[t] = cumprod;  // abar_{t-1}, with abar_{-1} = 1
      cumprod *= 1.0 - betas[t];
      alphasCumprod[t] = cumprod;
      double oneMinusAbar = 1.0 - alphasCumprod[t];
      posteriorVariance[t] = betas[t] * (1.0 - alphasCumprodPrev[t]) / oneMinusAbar;
      posteriorMeanCoef1[t] = betas[t] * Math.sqrt(alphasCumprodPrev[t]) / oneMinusAbar;
      posteriorMeanCoef2[t] = (1.0 - alphasCumprodPrev[t]) * Math.sqrt(1.0 - betas[t]) / oneMinusAbar;
    }
  }

  /** beta_t = linspace(betaStart, betaEnd, T). */
  public static double[] linearBetas(int steps, double betaStart, double betaEnd) {
    double[] betas = new double[steps];
    for (int t = 0; t < steps; t++) {
      betas[t] = steps == 1 ? betaStart : betaStart + (betaEnd - betaStart) * t / (steps - 1);
    }
    return betas;
  }

  /** abar(t) = cos^2(((t/T)+s)/(1+s) * pi/2), beta_t = min(1 - abar(t+1)/abar(t), maxBeta). */
  public static double[] cosineBetas(int steps, double offset, double maxBeta) {
    double[] betas = new double[steps];
    for (int t = 0; t < steps; t++) {
      double ratio = cosineAlphaBar((t + 1.0) / steps, offset) / cosineAlphaBar((double) t / steps, offset);
      betas[t] = Math.min(1.0 - ratio, maxBeta);
    }
    return betas;
  }

  private static double cosineAlphaBar(double fraction, double offset) {
    double c = Math.cos((fraction + offset) / (1.0 + offset) * Math.PI / 2.0);
    return c * c;
  }

  public static NoiseSchedule of(double[] betas, VarianceType varianceType) {
    for (int t = 0; t < betas.length; t++) {
      if (!(betas[t] > 0.0 && betas[t] < 1.0)) {
        throw new IllegalArgumentException("beta[" + t + "] = " + betas[t] + " is not in (0, 1)");
      }
    }
    return new NoiseSchedule(betas, varianceType);
  }

  /**
   * The schedule of a config's diffusion settings; an export's card carries the same message
   * ({@code ModelCard.diffusion}), so training and sampling build it the same way.
   */
  public static NoiseSchedule fromConfig(DiffusionConfig config) {
    double[] betas = switch (config.getBetaSchedule()) {
      case LINEAR -> linearBetas(config.getTimesteps(), config.getBetaStart(), config.getBetaEnd());
      case COSINE -> cosineBetas(config.getTimesteps(), config.getCosineOffset(), config.getMaxBeta());
      default -> throw new IllegalArgumentException("unknown beta schedule " + config.getBetaSchedule());
    };
    return of(betas, config.getVariance());
  }

  public int timesteps() {
    return betas.length;
  }

  public VarianceType varianceType() {
    return varianceType;
  }

  public double beta(int t) {
    return betas[t];
  }

  public double alphaCumprod(int t) {
    return alphasCumprod[t];
  }

  public double alphaCumprodPrev(int t) {
    return alphasCumprodPrev[t];
  }

  public double[] betas() {
    return betas.clone();
  }

  public double[] alphasCumprod() {
    return alphasCumprod.clone();
  }

  public double[] alphasCumprodPrev() {
    return alphasCumprodPrev.clone();
  }

  public double[] posteriorVariance() {
    return posteriorVariance.clone();
  }

  public double[] posteriorMeanCoef1() {
    return posteriorMeanCoef1.clone();
  }

  public double[] posteriorMeanCoef2() {
    return posteriorMeanCoef2.clone();
  }

  /** sqrt(abar_t): the signal scale of q(x_t | x_0). */
  public double sqrtAlphaCumprod(int t) {
    return Math.sqrt(alphasCumprod[t]);
  }

  /** sqrt(1 - abar_t): the noise scale of q(x_t | x_0). */
  public double sqrtOneMinusAlphaCumprod(int t) {
    return Math.sqrt(1.0 - alphasCumprod[t]);
  }

  /** Signal-to-noise ratio abar_t / (1 - abar_t). */
  public double signalToNoise(int t) {
    return alphasCumprod[t] / (1.0 - alphasCumprod[t]);
  }

  public double posteriorVariance(int t) {
    return posteriorVariance[t];
  }

  public double posteriorMeanCoef1(int t) {
    return posteriorMeanCoef1[t];
  }

  public double posteriorMeanCoef2(int t) {
    return posteriorMeanCoef2[t];
  }

  /**
   * The reverse-step variance sigma_t^2 of the configured type. At t = 0 the posterior variance is
   * exactly 0 (abar_{-1} = 1), so the last ancestral step adds no noise for either type.
   */
  public double reverseVariance(int t) {
    if (t == 0) {
      return 0.0;
    }
    return varianceType == VarianceType.TRUE ? posteriorVariance[t] : betas[t];
  }

  /** log(sigma_t^2), safe at t = 0 where the posterior variance vanishes. */
  public double reverseLogVariance(int t) {
    return Math.log(Math.max(reverseVariance(t), 1e-20));
  }

  /** x0_hat = (x_t - sqrt(1 - abar_t) eps) / sqrt(abar_t). */
  public double predictX0(int t, double xt, double eps) {
    return (xt - sqrtOneMinusAlphaCumprod(t) * eps) / sqrtAlphaCumprod(t);
  }
}
