package org.diffusiondepot.firststage;

import java.util.Random;

/**
 * Keeps the codebook in use (random restarts, as in Dhariwal et al. 2020 and Zeghidour et al.
 * 2021): after the first step of a run every code is seeded from the encoder's outputs, and every
 * {@code every} steps each code that no latent chose during those steps is moved onto a random
 * encoder output of the current batch (plus a little noise, so two restarts never coincide).
 * Without it, taming's U(-1/K, 1/K) codebook collapses to a handful of codes in short runs.
 */
final class CodebookRestarts {
  /** Noise added to a re-seeded code, relative to the spread of the encoder outputs. */
  static final double NOISE = 0.01;

  private final int codebookSize;
  private final int dim;
  private final int every;
  private final long seed;
  private final long[] counts;
  private int observedSteps;

  /** A batch of codebook rows to overwrite. */
  record Plan(int[] indices, float[] values) {}

  CodebookRestarts(int codebookSize, int dim, int every, long seed) {
    this.codebookSize = codebookSize;
    this.dim = dim;
    this.every = every;
    this.seed = seed;
    this.counts = new long[codebookSize];
  }

  boolean enabled() {
    return every > 0;
  }

  /** Whether the codebook is re-seeded after the step that turns {@code step} into {@code step + 1}. */
  boolean dueAfter(long step) {
    return enabled() && (step == 0 || ((step + 1) % every == 0 && observedSteps + 1 >= every));
  }

  /** Counts the codes chosen in one step. */
  void observe(int[] codeIndices) {
    for (int c : codeIndices) {
      counts[c]++;
    }
    observedSteps++;
  }

  /**
   * Which codes to move where, after the step that turned {@code step} into {@code step + 1};
   * resets the counts.
   *
   * @param encoded the step's encoder outputs, [positions, dim] flattened
   */
  Plan plan(long step, float[] encoded) {
    boolean all = step == 0;
    int dead = 0;
    int[] indices = new int[codebookSize];
    for (int k = 0; k < codebookSize; k++) {
      if (all || counts[k] == 0) {
        indices[dead++] = k;
      }
    }
    java.util.Arrays.fill(counts, 0);
    observedSteps = 0;
    int positions = encoded.length / dim;
    double[] spread = spread(encoded, positions);
    Random random = new Random(seed * 0x9E3779B97F4A7C15L + step);
    int[] order = shuffled(positions, random);
    float[] values = new float[dead * dim];
    for (int i = 0; i < dead; i++) {
      int source = i < positions ? order[i] : random.nextInt(positions);
      for (int d = 0; d < dim; d++) {
        values[i * dim + d] = (float) (encoded[source * dim + d] + NOISE * spread[d] * random.nextGaussian());
      }
    }
    return new Plan(java.util.Arrays.copyOf(indices, dead), values);
  }

  /** Standard deviation of each dimension over the positions. */
  private double[] spread(float[] encoded, int positions) {
    double[] mean = new double[dim];
    double[] square = new double[dim];
    for (int p = 0; p < positions; p++) {
      for (int d = 0; d < dim; d++) {
        double v = encoded[p * dim + d];
        mean[d] += v / positions;
        square[d] += v * v / positions;
      }
    }
    double[] out = new double[dim];
    for (int d = 0; d < dim; d++) {
      out[d] = Math.sqrt(Math.max(0, square[d] - mean[d] * mean[d]));
    }
    return out;
  }

  private static int[] shuffled(int n, Random random) {
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }
}
