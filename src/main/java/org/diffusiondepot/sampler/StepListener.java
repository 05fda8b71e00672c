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

  /**
   * Called after every network evaluation: {@link Sampler#evaluations()} times per chain, which is
   * more than its steps when a sampler evaluates twice in a step (Heun), so a progress bar that
   * counts these stays exact. Does nothing by default.
   */
  default void onEvaluation() { }

  /** A listener that only runs {@code tick} after every network evaluation, e.g. a progress bar's step. */
  static StepListener everyEvaluation(Runnable tick) {
    return new StepListener() {
      @Override
      public void onStep(int index, int total, int t, float[] xPrev, float[] x0Predicted) { }

      @Override
      public void onEvaluation() {
        tick.run();
      }
    };
  }

  StepListener NONE = (index, total, t, xPrev, x0) -> { };
}
