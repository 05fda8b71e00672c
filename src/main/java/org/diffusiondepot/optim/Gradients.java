package org.diffusiondepot.optim;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * What every training graph does with its gradients before the optimizer sees them: typed reads of
 * the raw outputs of {@code Graph.addGradients}, their global norm
 * {@code sqrt(sum_i |g_i|^2)}, and clipping to a maximum global norm (Pascanu et al. 2013):
 * {@code g_i * c / max(norm, c)}.
 */
public final class Gradients {
  private Gradients() {}

  /** The raw gradient outputs as float tensors, each read through an identity. */
  public static List<Operand<TFloat32>> of(Ops tf, Output<?>[] raw) {
    List<Operand<TFloat32>> out = new ArrayList<>(raw.length);
    for (Output<?> g : raw) {
      out.add(tf.identity(g.expect(TFloat32.class)));
    }
    return out;
  }

  public static Operand<TFloat32> globalNorm(Ops tf, List<Operand<TFloat32>> gradients) {
    return tf.math.sqrt(tf.math.addN(gradients.stream()
        .map(g -> (Operand<TFloat32>) tf.sum(tf.math.square(g), allAxes(tf, g))).toList()));
  }

  /** Scales the gradients so that their global norm is at most {@code maxNorm}; 0 leaves them unchanged. */
  public static List<Operand<TFloat32>> clip(Ops tf, List<Operand<TFloat32>> gradients, Operand<TFloat32> norm,
      double maxNorm) {
    if (maxNorm <= 0) {
      return gradients;
    }
    Operand<TFloat32> limit = tf.constant((float) maxNorm);
    Operand<TFloat32> scale = tf.math.div(limit, tf.math.maximum(norm, limit));
    return gradients.stream().map(g -> (Operand<TFloat32>) tf.math.mul(g, scale)).toList();
  }

  /**
   * True when the loss and the gradients' global norm are finite: a non-finite gradient anywhere
   * makes the norm non-finite.
   */
  public static Operand<TBool> finite(Ops tf, Operand<TFloat32> loss, Operand<TFloat32> norm) {
    return tf.math.logicalAnd(tf.math.isFinite(loss), tf.math.isFinite(norm));
  }

  /**
   * The gradients routed through a Switch on {@code finite}: when it is false they are dead tensors,
   * so every op that consumes them or waits for them (the optimizer's updates, the EMA, the step
   * counter) does not run in that session call and the variables keep their values. One bad batch
   * then cannot write NaN into the weights, the Adam moments or the EMA.
   */
  public static List<Operand<TFloat32>> whenFinite(Ops tf, List<Operand<TFloat32>> gradients, Operand<TBool> finite) {
    List<Operand<TFloat32>> out = new ArrayList<>(gradients.size());
    for (Operand<TFloat32> g : gradients) {
      out.add(tf.identity(tf.switchCond(g, finite).outputTrue()));
    }
    return out;
  }

  /**
   * A tensor that exists once the step is over either way: after {@code whenApplied} (the update
   * ops, dead when not finite) or at once when not finite. What must happen every step (the step
   * counter under loss scaling) waits for it.
   */
  public static Operand<TBool> afterEither(Ops tf, List<Op> whenApplied, Operand<TBool> finite) {
    var branch = tf.switchCond(finite, finite);
    Operand<TBool> applied = tf.withControlDependencies(whenApplied).identity(branch.outputTrue());
    Operand<TBool> skipped = tf.identity(branch.outputFalse());
    return tf.merge(List.of(applied, skipped)).output();
  }

  /** Every axis of {@code x}, for reductions to a scalar. */
  public static Operand<TInt32> allAxes(Ops tf, Operand<?> x) {
    int rank = x.shape().numDimensions();
    int[] axes = new int[rank];
    for (int i = 0; i < rank; i++) {
      axes[i] = i;
    }
    return tf.constant(axes);
  }
}
