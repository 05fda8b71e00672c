package org.diffusiondepot.task;

import java.util.Random;

/** Edits the chain's state after every reverse step, e.g. to impose the known pixels of an inpainting. */
public interface StepConstraint {
  /**
   * @param x the state after a step, [batch, size, size, channels], edited in place
   * @param t the timestep x is now at, or -1 once x is the final x_0
   * @param random the chain's generator, so constrained chains stay reproducible from the seed
   */
  void apply(float[] x, int t, Random random);

  /**
   * How many times the sampler takes every reverse step but the last (RePaint's resampling,
   * Lugmayr et al. 2022): after each pass but the last, the constrained state is noised back to the
   * step's starting timestep, q(x_t | x_s), and the step is taken again, so that the generated part
   * can adapt to what the constraint imposed. The chain's last step, which ends at x_0, is taken
   * once. 1, the default, is the plain chain.
   */
  default int passes() {
    return 1;
  }

  /**
   * This constraint with every step but the last taken {@code passes} times (0 or 1: once), in
   * place of the number its task's config gives: the samplers' {@code --resamplings}.
   */
  default StepConstraint retaking(int passes) {
    StepConstraint inner = this;
    int n = Math.max(1, passes);
    return new StepConstraint() {
      @Override
      public void apply(float[] x, int t, Random random) {
        inner.apply(x, t, random);
      }

      @Override
      public int passes() {
        return n;
      }
    };
  }

  StepConstraint NONE = (x, t, random) -> { };
}
