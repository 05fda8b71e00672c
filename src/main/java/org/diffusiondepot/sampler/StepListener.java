package org.diffusiondepot.sampler;

/** Observes a sampling chain, e.g. for a progress bar or to record a denoising trajectory. */
public interface StepListener {
  /**
   * @param index 0-based position in the chain
   * @param total chain length
   * @param t the timestep just denoised
   * @param xPrev the state after this step
   * @param x0Predicted the model's estimate of x_0 at this step
   */
  void onStep(int index, int total, int t, float[] xPrev, float[] x0Predicted);

  StepListener NONE = (index, total, t, xPrev, x0) -> { };
}
