package org.diffusiondepot.sampler;

import java.util.Arrays;
import java.util.Random;
import org.diffusiondepot.schedule.NoiseSchedule;
import org.diffusiondepot.task.Conditioning;
import org.diffusiondepot.task.NoisePredictor;
import org.diffusiondepot.task.StepConstraint;

/** A reverse-process sampler: from pure noise x_T to x_0 using a noise predictor. */
public abstract class Sampler {
  protected final NoiseSchedule schedule;
  protected final boolean clipDenoised;

  protected Sampler(NoiseSchedule schedule, boolean clipDenoised) {
    this.schedule = schedule;
    this.clipDenoised = clipDenoised;
  }

  /** The timesteps visited, from the noisiest to t = 0. */
  public abstract int[] timesteps();

  /**
   * Network evaluations in one chain, what a progress bar counts: one per timestep, more when a
   * sampler evaluates the network again within a step (Heun's corrector).
   */
  public int evaluations() {
    return timesteps().length;
  }

  /**
   * Network evaluations in one chain whose steps but the last are each taken {@code passes} times
   * ({@link StepConstraint#passes}, RePaint's resampling). The last step is never retaken and makes
   * one evaluation in every sampler here (Heun's is a plain Euler step).
   */
  public int evaluations(int passes) {
    return Math.max(1, passes) * (evaluations() - 1) + 1;
  }

  /**
   * One reverse step from timestep {@code timesteps()[index]}; writes x_prev into {@code x} and the
   * step's estimate of x_0 into {@code x0}. {@code x0} is the chain's own buffer: on entry it still
   * holds the previous step's estimate (zeros before the first step), the history a multistep
   * solver extrapolates from.
   */
  protected abstract void step(int index, float[] x, float[] eps, float[] x0, Random random);

  /**
   * The step as the chain runs it, with the network at hand. A sampler that evaluates it again
   * within a step overrides this and counts those calls in {@link #evaluations()}.
   */
  protected void step(int index, float[] x, float[] eps, float[] x0, Random random, ChainModel model) {
    step(index, x, eps, x0, random);
  }

  /** Samples {@code batch} examples of side {@code size} with {@code channels} channels. */
  public float[] sample(NoisePredictor model, int batch, int size, int channels, Conditioning condition,
      long seed, StepListener listener) {
    return sample(model, batch, size, channels, condition, seed, listener, StepConstraint.NONE);
  }

  /**
   * As above, with {@code constraint} applied to the state after every step, and every step but the
   * last taken {@link StepConstraint#passes} times.
   */
  public float[] sample(NoisePredictor model, int batch, int size, int channels, Conditioning condition,
      long seed, StepListener listener, StepConstraint constraint) {
    Random random = new Random(seed);
    float[] x = new float[batch * size * size * channels];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) random.nextGaussian();
    }
    return denoise(model, x, batch, condition, random, listener, constraint);
  }

  /** Runs the chain from a given x_T (e.g. for tests), in place. */
  public float[] denoise(NoisePredictor model, float[] x, int batch, Conditioning condition, Random random,
      StepListener listener) {
    return denoise(model, x, batch, condition, random, listener, StepConstraint.NONE);
  }

  private float[] denoise(NoisePredictor model, float[] x, int batch, Conditioning condition, Random random,
      StepListener listener, StepConstraint constraint) {
    int[] ts = timesteps();
    float[] x0 = new float[x.length];
    int[] tBatch = new int[batch];
    ChainModel network = (state, t) -> {
      java.util.Arrays.fill(tBatch, t);
      float[] eps = model.predict(state, tBatch, condition, batch);
      listener.onEvaluation();
      return eps;
    };
    int passes = constraint.passes();
    for (int i = 0; i < ts.length; i++) {
      int next = i + 1 < ts.length ? ts[i + 1] : -1;
      // A retaken step must start from the history the first pass saw: a multistep solver
      // (DPM-Solver++(2M)) reads the previous step's x_0 estimate from x0, which a pass overwrites.
      float[] history = passes > 1 && next >= 0 ? x0.clone() : null;
      for (int pass = 1; ; pass++) {
        float[] eps = network.eps(x, ts[i]);
        step(i, x, eps, x0, random, network);
        constraint.apply(x, next, random);
        // Once x is the final x_0 there is no step to go back up: the last step is taken once.
        if (pass >= passes || next < 0) {
          break;
        }
        renoise(x, next, ts[i], random);
        System.arraycopy(history, 0, x0, 0, x0.length);
      }
      listener.onStep(i, ts.length, ts[i], x, x0);
    }
    return x;
  }

  /**
   * x_to ~ q(x_to | x_from) = N(sqrt(abar_to / abar_from) x_from, (1 - abar_to / abar_from) I) for
   * to &gt; from, in place: RePaint's jump back up the chain, by one step of this sampler.
   */
  private void renoise(float[] x, int from, int to, Random random) {
    double kept = schedule.alphaCumprod(to) / schedule.alphaCumprod(from);
    double signal = Math.sqrt(kept);
    double noise = Math.sqrt(1 - kept);
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (signal * x[i] + noise * random.nextGaussian());
    }
  }

  /**
   * x0_hat = (x_t - sqrt(1 - abar_t) eps) / sqrt(abar_t), clipped to [-1, 1] when configured; when
   * clipped, eps is recomputed from the clipped x0_hat so both stay consistent. (Sampling puts
   * {@link DynamicThresholding} around pixel-space networks, after which this clip only catches
   * rounding.)
   */
  protected void predictX0(double abar, float[] x, float[] eps, float[] x0) {
    double sqrtAbar = Math.sqrt(abar);
    double sqrtOneMinus = Math.sqrt(1.0 - abar);
    for (int i = 0; i < x.length; i++) {
      double estimate = (x[i] - sqrtOneMinus * eps[i]) / sqrtAbar;
      if (clipDenoised) {
        estimate = Math.max(-1.0, Math.min(1.0, estimate));
        eps[i] = (float) ((x[i] - sqrtAbar * estimate) / sqrtOneMinus);
      }
      x0[i] = (float) estimate;
    }
  }
}
