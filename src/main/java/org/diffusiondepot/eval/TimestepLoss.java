package org.diffusiondepot.eval;

import java.util.Random;
import org.diffusiondepot.task.Conditioning;
import org.diffusiondepot.task.NoisePredictor;
import org.diffusiondepot.schedule.NoiseSchedule;

/**
 * The epsilon-prediction loss of a model on held-out data per quarter of the timesteps: for each
 * example and quarter, x_t = sqrt(abar_t) x0 + sqrt(1 - abar_t) eps at a t drawn in that quarter,
 * and ||eps - eps_theta(x_t, t)||^2 averaged over pixels.
 */
public final class TimestepLoss {
  private TimestepLoss() {}

  /** Mean loss of quarter q = 0 (t < T/4) .. 3 (t >= 3T/4). */
  public static double[] perQuarter(NoisePredictor model, NoiseSchedule schedule, float[] x0, int count, int perExample,
      Conditioning condition, long seed) {
    Random random = new Random(seed);
    int steps = schedule.timesteps();
    double[] loss = new double[4];
    for (int q = 0; q < 4; q++) {
      int[] t = new int[count];
      float[] noise = new float[x0.length];
      float[] xt = new float[x0.length];
      for (int i = 0; i < count; i++) {
        t[i] = q * steps / 4 + random.nextInt(steps / 4);
        double signal = schedule.sqrtAlphaCumprod(t[i]);
        double noiseScale = schedule.sqrtOneMinusAlphaCumprod(t[i]);
        for (int k = i * perExample; k < (i + 1) * perExample; k++) {
          noise[k] = (float) random.nextGaussian();
          xt[k] = (float) (signal * x0[k] + noiseScale * noise[k]);
        }
      }
      float[] eps = model.predict(xt, t, condition, count);
      double sum = 0;
      for (int k = 0; k < eps.length; k++) {
        double d = eps[k] - noise[k];
        sum += d * d;
      }
      loss[q] = sum / eps.length;
    }
    return loss;
  }
}
