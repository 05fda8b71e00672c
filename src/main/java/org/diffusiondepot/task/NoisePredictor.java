package org.diffusiondepot.task;

/** eps_theta: a trained network seen from the host. */
public interface NoisePredictor {
  /**
   * @param xt [batch, S, S, C] row-major
   * @param t timestep of each example
   * @return the predicted noise, same layout as xt
   */
  float[] predict(float[] xt, int[] t, Conditioning condition, int batch);
}
