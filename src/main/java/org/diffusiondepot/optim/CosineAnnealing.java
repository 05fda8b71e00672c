package org.diffusiondepot.optim;

/**
 * Learning rate over a run: cosine annealing from {@code max} to {@code min} (Loshchilov and
 * Hutter's SGDR form), restarted {@code cycles} times over {@code totalSteps} (the seed's "cosine
 * steps"), with an optional linear warm-up at the start of the run:
 * <pre>
 *   L = ceil(totalSteps / cycles),  p = (step mod L) / L
 *   lr(step) = min + (max - min) (1 + cos(pi p)) / 2,   times (step + 1) / warmup during warm-up
 * </pre>
 * The schedule ends at {@code totalSteps}: from there the rate stays at {@code min}. Restarting
 * at the peak on a converged model (a run continued past its iterations) would undo it.
 */
public final class CosineAnnealing {
  private final double max;
  private final double min;
  private final long cycleLength;
  private final long warmupSteps;
  private final long totalSteps;

  public CosineAnnealing(double max, double min, long totalSteps, int cycles, long warmupSteps) {
    if (totalSteps <= 0 || cycles <= 0) {
      throw new IllegalArgumentException("totalSteps and cycles must be positive");
    }
    this.max = max;
    this.min = min;
    this.cycleLength = Math.max(1, (totalSteps + cycles - 1) / cycles);
    this.warmupSteps = warmupSteps;
    this.totalSteps = totalSteps;
  }

  /** The step at which the schedule ends and the rate settles at its minimum. */
  public long end() {
    return totalSteps;
  }

  public long cycleLength() {
    return cycleLength;
  }

  /** Learning rate for the update that turns step {@code step} into {@code step + 1}. */
  public double at(long step) {
    if (step >= totalSteps) {
      return min;
    }
    double position = (double) (step % cycleLength) / cycleLength;
    double lr = min + (max - min) * 0.5 * (1.0 + Math.cos(Math.PI * position));
    if (step < warmupSteps) {
      lr *= (step + 1.0) / warmupSteps;
    }
    return lr;
  }
}
