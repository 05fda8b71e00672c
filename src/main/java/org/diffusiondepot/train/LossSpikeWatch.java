package org.diffusiondepot.train;

import java.util.Optional;

/**
 * Watches a loss for a spike: a rise above {@code factor} times the best value seen so far, which
 * in a run that was improving means divergence (a learning-rate jump, a bad batch, fp16 overflow).
 * Training losses are smoothed first (an exponential moving average of the logged interval means,
 * weight 0.7 on the past), since single intervals are noisy; validation losses, measured on fixed
 * data, are taken as they are. Each watch reports once: a run that diverged does not need the same
 * alert at every log line.
 */
final class LossSpikeWatch {
  private final String name;
  private final double factor;
  private final double smoothing;
  private double average = Double.NaN;
  private double best = Double.POSITIVE_INFINITY;
  private boolean reported;

  /**
   * @param name what is watched, for the message ("training loss", "validation loss")
   * @param factor the rise over the best value that counts as a spike; 0 disables the watch
   * @param smoothing the weight of the past in the moving average (0: no smoothing)
   */
  LossSpikeWatch(String name, double factor, double smoothing) {
    this.name = name;
    this.factor = factor;
    this.smoothing = smoothing;
  }

  /** Takes the value measured at {@code step}; returns the alert the first time it spikes. */
  Optional<String> observe(long step, double value) {
    if (factor <= 0 || !Double.isFinite(value)) {
      return Optional.empty();
    }
    average = Double.isNaN(average) ? value : smoothing * average + (1 - smoothing) * value;
    if (average > factor * best && !reported) {
      reported = true;
      return Optional.of(String.format("step %d: the %s rose to %.4g, %.1f times its best so far (%.4g); the run "
          + "goes on, but check the learning rate (train.learning_rate, train.warmup_steps) and the data", step,
          name, average, average / best, best));
    }
    best = Math.min(best, average);
    return Optional.empty();
  }
}
