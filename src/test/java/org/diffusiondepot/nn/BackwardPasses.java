package org.diffusiondepot.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.tensorflow.GraphOperation;
import org.tensorflow.Output;

/** What the gradient tests of the UNet share: inputs, the comparison, the ops a backward pass runs. */
final class BackwardPasses {
  private BackwardPasses() {}

  /** {@code n} standard normal values from {@code seed}. */
  static float[] gaussian(int n, long seed) {
    float[] out = new float[n];
    Random r = new Random(seed);
    for (int i = 0; i < n; i++) {
      out[i] = (float) r.nextGaussian();
    }
    return out;
  }

  /** ||a - b|| / ||a||; fails on an all-zero a, which would compare nothing. */
  static double relativeDifference(float[] a, float[] b) {
    double diff = 0;
    double norm = 0;
    for (int j = 0; j < a.length; j++) {
      diff += (a[j] - b[j]) * (double) (a[j] - b[j]);
      norm += a[j] * (double) a[j];
    }
    assertTrue(norm > 0, "an all-zero tensor compares nothing");
    return Math.sqrt(diff / norm);
  }

  /**
   * The backward ops the gradients depend on, through data and control inputs: what runs when they
   * are fetched (the rest of the backward graph never does).
   */
  static Set<GraphOperation> neededOps(Output<?>[] gradients, Predicate<GraphOperation> backward) {
    Set<GraphOperation> needed = new HashSet<>();
    Deque<GraphOperation> todo = new ArrayDeque<>();
    for (Output<?> gr : gradients) {
      todo.add((GraphOperation) gr.op());
    }
    while (!todo.isEmpty()) {
      GraphOperation op = todo.pop();
      if (backward.test(op) && needed.add(op)) {
        op.inputs().forEach(in -> todo.add((GraphOperation) in.op()));
        op.controlInputs().forEach(todo::add);
      }
    }
    return needed;
  }

  /** The types of the backward ops under {@code prefix} that the gradients run ({@link #neededOps}). */
  static Set<String> opTypes(Output<?>[] gradients, String prefix) {
    return neededOps(gradients, op -> op.name().startsWith(prefix)).stream().map(GraphOperation::type)
        .collect(Collectors.toSet());
  }

  /** {@code body}'s result with the system property {@code key} set to {@code value}, restored after. */
  static <T> T withProperty(String key, String value, Supplier<T> body) {
    String before = System.setProperty(key, value);
    try {
      return body.get();
    } finally {
      if (before == null) {
        System.clearProperty(key);
      } else {
        System.setProperty(key, before);
      }
    }
  }

  /** Whether a consumer of a forward tensor makes the backward pass keep it (shape ops read no data). */
  static boolean keeps(Set<GraphOperation> needed, GraphOperation consumer) {
    return needed.contains(consumer) && !consumer.type().startsWith("Shape");
  }
}
