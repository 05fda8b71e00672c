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

  StepConstraint NONE = (x, t, random) -> { };
}
