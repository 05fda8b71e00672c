package org.diffusiondepot.train;

/** Running means of the loss over a logging interval, overall and per quarter of the timesteps. */
final class IntervalStats {
  private final int timesteps;
  private final double[] sums = new double[4];
  private final long[] counts = new long[4];
  private double lossSum;
  private double normSum;
  private long steps;

  IntervalStats(int timesteps) {
    this.timesteps = timesteps;
  }

  void add(float loss, float gradientNorm, float[] perExample, int[] t) {
    lossSum += loss;
    normSum += gradientNorm;
    steps++;
    addExamples(perExample, t);
  }

  void addExamples(float[] perExample, int[] t) {
    for (int i = 0; i < perExample.length; i++) {
      int q = quarter(t[i]);
      sums[q] += perExample[i];
      counts[q]++;
    }
  }

  int quarter(int t) {
    return Math.min(3, (int) ((long) t * 4 / timesteps));
  }

  boolean isEmpty() {
    return steps == 0 && counts[0] + counts[1] + counts[2] + counts[3] == 0;
  }

  double meanLoss() {
    if (steps > 0) {
      return lossSum / steps;
    }
    double s = 0;
    long n = 0;
    for (int q = 0; q < 4; q++) {
      s += sums[q];
      n += counts[q];
    }
    return n == 0 ? Double.NaN : s / n;
  }

  double meanGradientNorm() {
    return steps == 0 ? Double.NaN : normSum / steps;
  }

  /** Mean loss over examples with t in quarter q (q = 0: t < T/4), NaN if none. */
  double quarterLoss(int q) {
    return counts[q] == 0 ? Double.NaN : sums[q] / counts[q];
  }

  void reset() {
    java.util.Arrays.fill(sums, 0);
    java.util.Arrays.fill(counts, 0);
    lossSum = 0;
    normSum = 0;
    steps = 0;
  }
}
