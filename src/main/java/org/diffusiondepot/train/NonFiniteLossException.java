package org.diffusiondepot.train;

/**
 * A training step whose loss (or one of its terms, or a gradient) was not finite. The step's update
 * was not applied (the graph gates it on finiteness), so the session still holds the last good
 * state; the {@link TrainLoop} saves it and stops.
 */
public final class NonFiniteLossException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final long step;
  private final String term;
  private final double value;

  /**
   * @param step the global step whose update was skipped (the state is still at this step)
   * @param term what became non-finite, e.g. "loss" or "reconstruction_loss"
   */
  public NonFiniteLossException(long step, String term, double value) {
    super(term + " became " + value + " in the step after " + step);
    this.step = step;
    this.term = term;
    this.value = value;
  }

  public long step() {
    return step;
  }

  public String term() {
    return term;
  }

  public double value() {
    return value;
  }
}
