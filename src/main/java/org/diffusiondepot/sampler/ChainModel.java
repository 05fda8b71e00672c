package org.diffusiondepot.sampler;

/**
 * The network as one sampling chain calls it: eps_theta(x_t, t) for the chain's whole batch at one
 * timestep. Every call is one network evaluation, reported to the chain's {@link StepListener}.
 */
@FunctionalInterface
public interface ChainModel {
  /**
   * @param x the state, [batch, size, size, channels] as the chain holds it
   * @param t the timestep of every example
   * @return the predicted noise, a new array of the same layout
   */
  float[] eps(float[] x, int t);
}
