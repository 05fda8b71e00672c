package org.diffusiondepot.report;

import java.util.Arrays;
import java.util.stream.IntStream;
import org.diffusiondepot.sampler.StepListener;

/**
 * Keeps x_t and the predicted x_0 of the first {@code keep} samples at a few positions of a
 * sampling chain (the sampler reuses its arrays, so they are copied when seen).
 */
final class ChainRecorder implements StepListener {
  private final int[] positions;
  private final int values;
  private final int[] timesteps;
  private final float[][] states;
  private final float[][] predictions;
  private boolean chunkDone;

  /**
   * @param positions chain indices to keep, ascending
   * @param values floats per sample
   */
  ChainRecorder(int[] positions, int keep, int values) {
    this.positions = positions.clone();
    this.values = keep * values;
    this.timesteps = new int[positions.length];
    this.states = new float[positions.length][];
    this.predictions = new float[positions.length][];
  }

  /** {@code count} positions spread evenly over a chain of {@code length}, first and last included. */
  static int[] evenly(int length, int count) {
    int n = Math.min(count, length);
    if (n <= 1) {
      return new int[] {length - 1};
    }
    return IntStream.range(0, n).map(i -> (int) Math.round((double) i * (length - 1) / (n - 1))).distinct().toArray();
  }

  @Override
  public void onStep(int index, int total, int t, float[] xPrev, float[] x0Predicted) {
    if (chunkDone) {
      return;  // later chunks of a large request: the first one holds the samples shown
    }
    int slot = Arrays.binarySearch(positions, index);
    if (slot >= 0) {
      timesteps[slot] = t;
      states[slot] = Arrays.copyOf(xPrev, values);
      predictions[slot] = Arrays.copyOf(x0Predicted, values);
    }
    chunkDone = index == total - 1;
  }

  int[] timesteps() {
    return timesteps.clone();
  }

  /** x after the step at position {@code i}, the first {@code keep} samples stacked. */
  float[] state(int i) {
    return states[i];
  }

  float[] prediction(int i) {
    return predictions[i];
  }
}
