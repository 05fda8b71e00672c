package org.diffusiondepot.sampler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.stream.Stream;
import org.diffusiondepot.proto.VarianceType;
import org.diffusiondepot.schedule.NoiseSchedule;
import org.diffusiondepot.task.Conditioning;
import org.diffusiondepot.task.NoisePredictor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The samplers with the ideal denoiser of Gaussian data x0 ~ N(mu, s^2 I). Then
 * x_t ~ N(sqrt(abar) mu, v_t) with v_t = abar s^2 + 1 - abar, and the ideal noise prediction is
 * E[eps | x_t] = sqrt(1 - abar) (x_t - sqrt(abar) mu) / v_t.
 * <p>
 * Every step is then linear-Gaussian: the deviation d = x_t - sqrt(abar_t) mu maps to
 * d' = k d + sigma z, with k = (c1 sqrt(abar) s^2 + c2 v_t) / v_t for DDPM (posterior mean
 * coefficients c1, c2) and k = (sqrt(abar abar') s^2 + sqrt((1 - abar' - sigma^2)(1 - abar))) / v_t
 * for DDIM. Propagating E[d] and Var[d] from x_T ~ N(0, 1) gives the exact mean and standard
 * deviation each sampler must produce; we check the samples against those within 5 standard
 * errors (32768 values: 0.0055 for the mean, 0.004 for the std), and check that the full chains
 * give back mu and s to within 2% (their discretisation bias). Coarse DDIM chains shrink the
 * variance (K = 50 gives std 0.175 instead of 0.2): a property of DDIM, not of this code.
 */
class AnalyticDenoiserTest {
  static final double MU = 0.3;
  static final double S = 0.2;
  static final int BATCH = 8;
  static final int SIZE = 16;
  static final int CHANNELS = 16;
  static final int N = BATCH * SIZE * SIZE * CHANNELS;

  static Stream<Arguments> samplers() {
    NoiseSchedule same = NoiseSchedule.of(NoiseSchedule.linearBetas(1000, 1e-4, 0.02), VarianceType.SAME);
    NoiseSchedule posterior = NoiseSchedule.of(NoiseSchedule.linearBetas(1000, 1e-4, 0.02), VarianceType.TRUE);
    NoiseSchedule cosine = NoiseSchedule.of(NoiseSchedule.cosineBetas(1000, 0.008, 0.999), VarianceType.TRUE);
    return Stream.of(
        Arguments.of("ddpm, sigma^2 = beta", new DdpmSampler(same, false), same, 0.0, true),
        Arguments.of("ddpm, sigma^2 = posterior variance", new DdpmSampler(posterior, false), posterior, 0.0, true),
        Arguments.of("ddpm, cosine schedule", new DdpmSampler(cosine, false), cosine, 0.0, true),
        Arguments.of("ddim 1000 steps, eta 0", new DdimSampler(same, 1000, 0.0, false), same, 0.0, true),
        Arguments.of("ddim 1000 steps, eta 1", new DdimSampler(same, 1000, 1.0, false), same, 1.0, true),
        Arguments.of("ddim 50 steps, eta 0", new DdimSampler(same, 50, 0.0, false), same, 0.0, false),
        Arguments.of("ddim 20 steps, eta 0.5", new DdimSampler(posterior, 20, 0.5, false), posterior, 0.5, false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("samplers")
  void reproducesTheDataDistribution(String name, Sampler sampler, NoiseSchedule schedule, double eta,
      boolean fullChain) {
    float[] x = sampler.sample(ideal(schedule), BATCH, SIZE, CHANNELS, Conditioning.none(), 11, StepListener.NONE);
    double mean = Arrays.stream(toDouble(x)).average().orElseThrow();
    double std = Math.sqrt(Arrays.stream(toDouble(x)).map(v -> (v - mean) * (v - mean)).sum() / (N - 1));
    double[] exact = sampler instanceof DdpmSampler ? ddpmMoments(schedule) : ddimMoments(schedule, sampler.timesteps(), eta);
    assertEquals(exact[0], mean, 5 * S / Math.sqrt(N), name + ": mean against the exact chain");
    assertEquals(exact[1], std, 5 * S / Math.sqrt(2.0 * N), name + ": std against the exact chain");
    if (fullChain) {
      assertEquals(MU, mean, 0.02 * S, name + ": data mean");
      assertEquals(S, std, 0.02 * S, name + ": data std");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("samplers")
  void sameSeedSameSamplesOtherSeedOtherSamples(String name, Sampler sampler, NoiseSchedule schedule, double eta,
      boolean fullChain) {
    NoisePredictor model = ideal(schedule);
    float[] a = sampler.sample(model, 1, 4, 3, Conditioning.none(), 5, StepListener.NONE);
    float[] b = sampler.sample(model, 1, 4, 3, Conditioning.none(), 5, StepListener.NONE);
    float[] c = sampler.sample(model, 1, 4, 3, Conditioning.none(), 6, StepListener.NONE);
    assertTrue(Arrays.equals(a, b), name);
    assertTrue(!Arrays.equals(a, c), name);
  }

  static NoisePredictor ideal(NoiseSchedule schedule) {
    return (xt, t, condition, batch) -> {
      float[] eps = new float[xt.length];
      int perExample = xt.length / batch;
      for (int i = 0; i < xt.length; i++) {
        double abar = schedule.alphaCumprod(t[i / perExample]);
        eps[i] = (float) (Math.sqrt(1 - abar) * (xt[i] - Math.sqrt(abar) * MU) / (abar * S * S + 1 - abar));
      }
      return eps;
    };
  }

  /** {E[x_0], std[x_0]} of ancestral sampling with the ideal denoiser. */
  static double[] ddpmMoments(NoiseSchedule s) {
    int last = s.timesteps() - 1;
    double mean = -Math.sqrt(s.alphaCumprod(last)) * MU;
    double var = 1.0;
    for (int t = last; t >= 0; t--) {
      double abar = s.alphaCumprod(t);
      double v = abar * S * S + 1 - abar;
      double k = (s.posteriorMeanCoef1(t) * Math.sqrt(abar) * S * S + s.posteriorMeanCoef2(t) * v) / v;
      mean *= k;
      var = k * k * var + s.reverseVariance(t);
    }
    return new double[] {MU + mean, Math.sqrt(var)};
  }

  /** The same for DDIM on the given respaced timesteps. */
  static double[] ddimMoments(NoiseSchedule s, int[] timesteps, double eta) {
    double mean = -Math.sqrt(s.alphaCumprod(timesteps[0])) * MU;
    double var = 1.0;
    for (int i = 0; i < timesteps.length; i++) {
      double a = s.alphaCumprod(timesteps[i]);
      double prev = i + 1 < timesteps.length ? s.alphaCumprod(timesteps[i + 1]) : 1.0;
      double sigma = eta * Math.sqrt((1 - prev) / (1 - a)) * Math.sqrt(1 - a / prev);
      double v = a * S * S + 1 - a;
      double k = (Math.sqrt(a * prev) * S * S + Math.sqrt((1 - prev - sigma * sigma) * (1 - a))) / v;
      mean *= k;
      var = k * k * var + sigma * sigma;
    }
    return new double[] {MU + mean, Math.sqrt(var)};
  }

  private static double[] toDouble(float[] x) {
    double[] d = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      d[i] = x[i];
    }
    return d;
  }
}
