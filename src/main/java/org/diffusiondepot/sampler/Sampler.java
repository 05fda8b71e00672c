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

  /** One reverse step from timestep {@code timesteps()[index]}; writes x_prev into {@code x}. */
  protected abstract void step(int index, float[] x, float[] eps, float[] x0, Random random);

  /** Samples {@code batch} examples of side {@code size} with {@code channels} channels. */
  public float[] sample(NoisePredictor model, int batch, int size, int channels, Conditioning condition,
      long seed, StepListener listener) {
    return sample(model, batch, size, channels, condition, seed, listener, StepConstraint.NONE);
  }

  /** As above, with {@code constraint} applied to the state after every step. */
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
    for (int i = 0; i < ts.length; i++) {
      java.util.Arrays.fill(tBatch, ts[i]);
      float[] eps = model.predict(x, tBatch, condition, batch);
      step(i, x, eps, x0, random);
      constraint.apply(x, i + 1 < ts.length ? ts[i + 1] : -1, random);
      listener.onStep(i, ts.length, ts[i], x, x0);
    }
    return x;
  }

  /**
   * x0_hat = (x_t - sqrt(1 - abar_t) eps) / sqrt(abar_t), clipped to [-1, 1] when configured; when
   * clipped, eps is recomputed from the clipped x0_hat so both stay consistent.
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
