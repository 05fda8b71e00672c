package org.diffusiondepot.task;

import org.diffusiondepot.proto.Prediction;
import org.diffusiondepot.schedule.NoiseSchedule;

/**
 * Networks trained on v (Salimans and Ho 2022; {@code diffusion.prediction: V}) seen as the eps
 * predictors every sampler expects. With x_t = a x_0 + s eps and v = a eps - s x_0 (a =
 * sqrt(abar_t), s = sqrt(1 - abar_t), a^2 + s^2 = 1),
 * <pre>
 *   eps = a v + s x_t        x_0 = a x_t - s v
 * </pre>
 * The conversion is done here, on the host in double precision, so the samplers, guidance and
 * metrics stay written for eps and the network knows nothing of the schedule.
 */
public final class VelocityPrediction {
  private VelocityPrediction() {
  }

  /**
   * The network's output for {@code batch} samples of x_t as eps, in place: unchanged for an
   * eps-network, converted for a v-network.
   */
  public static float[] asNoise(float[] output, float[] xt, int[] t, int batch, NoiseSchedule schedule,
      Prediction prediction) {
    if (prediction != Prediction.V) {
      return output;
    }
    if (output.length != xt.length || t.length < batch || output.length % batch != 0) {
      throw new IllegalArgumentException(output.length + " outputs for " + xt.length + " values of x_t and "
          + t.length + " timesteps, batch " + batch);
    }
    int per = output.length / batch;
    for (int i = 0; i < batch; i++) {
      double a = schedule.sqrtAlphaCumprod(t[i]);
      double s = schedule.sqrtOneMinusAlphaCumprod(t[i]);
      for (int j = i * per; j < (i + 1) * per; j++) {
        output[j] = (float) (a * output[j] + s * xt[j]);
      }
    }
    return output;
  }
}
