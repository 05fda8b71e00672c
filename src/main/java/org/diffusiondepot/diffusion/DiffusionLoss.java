package org.diffusiondepot.diffusion;

import org.diffusiondepot.proto.Prediction;
import org.diffusiondepot.schedule.NoiseSchedule;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The DDPM training objective as graph ops (Ho et al. 2020, Algorithm 1), on eps or, with {@link
 * Prediction#V}, on v = sqrt(abar_t) eps - sqrt(1 - abar_t) x_0 (Salimans and Ho 2022).
 */
public final class DiffusionLoss {
  private final Ops tf;
  private final Prediction prediction;
  private final Operand<TFloat32> sqrtAlphasCumprod;
  private final Operand<TFloat32> sqrtOneMinusAlphasCumprod;

  public DiffusionLoss(Ops tf, NoiseSchedule schedule, Prediction prediction) {
    this.tf = tf;
    this.prediction = prediction;
    int steps = schedule.timesteps();
    float[] signal = new float[steps];
    float[] noise = new float[steps];
    for (int t = 0; t < steps; t++) {
      signal[t] = (float) schedule.sqrtAlphaCumprod(t);
      noise[t] = (float) schedule.sqrtOneMinusAlphaCumprod(t);
    }
    sqrtAlphasCumprod = tf.constant(signal);
    sqrtOneMinusAlphasCumprod = tf.constant(noise);
  }

  /** q(x_t | x_0): x_t = sqrt(abar_t) x_0 + sqrt(1 - abar_t) eps. */
  public Operand<TFloat32> qSample(Operand<TFloat32> x0, Operand<TInt32> t, Operand<TFloat32> noise) {
    return tf.math.add(tf.math.mul(perExample(sqrtAlphasCumprod, t), x0),
        tf.math.mul(perExample(sqrtOneMinusAlphasCumprod, t), noise));
  }

  /** What the network learns to output for x_t = qSample(x0, t, noise): eps, or v. */
  public Operand<TFloat32> target(Operand<TFloat32> x0, Operand<TInt32> t, Operand<TFloat32> noise) {
    return switch (prediction) {
      case V -> tf.math.sub(tf.math.mul(perExample(sqrtAlphasCumprod, t), noise),
          tf.math.mul(perExample(sqrtOneMinusAlphasCumprod, t), x0));
      default -> noise;
    };
  }

  /** ||target - output||^2 averaged over pixels and channels: one value per example. */
  public Operand<TFloat32> perExampleMse(Operand<TFloat32> predicted, Operand<TFloat32> target) {
    return tf.math.mean(tf.math.squaredDifference(predicted, target), tf.constant(new int[] {1, 2, 3}));
  }

  /** Gathers table[t] shaped [B, 1, 1, 1] to scale NHWC tensors. */
  private Operand<TFloat32> perExample(Operand<TFloat32> table, Operand<TInt32> t) {
    return tf.reshape(tf.gather(table, t, tf.constant(0)), tf.constant(new int[] {-1, 1, 1, 1}));
  }
}
