package org.diffusiondepot.optim;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * Dynamic loss scaling for fp16 training (Micikevicius et al. 2018, as PyTorch's GradScaler): the
 * loss is multiplied by a scale S before backprop so that small gradients survive fp16, and the
 * gradients are divided by S before the update. A step whose gradients overflow (not finite) is
 * skipped and halves S; {@code growthInterval} clean steps in a row double it.
 * <pre>
 *   finite:     good += 1; if good == growthInterval: S *= 2, good = 0
 *   not finite: S /= 2, good = 0, skipped += 1
 * </pre>
 * S, the count of clean steps and the count of skipped steps are variables, so checkpoints keep them
 * and a resumed run goes on with the same scale.
 */
public final class LossScale {
  public static final double INITIAL = 32768;  // 2^15
  public static final long GROWTH_INTERVAL = 2000;

  private final Variable<TFloat32> scale;
  private final Variable<TInt64> goodSteps;
  private final Variable<TInt64> skippedSteps;
  private final Operand<TFloat32> scaleValue;
  private final Operand<TInt64> skippedValue;

  public LossScale(Ops tf, double initial) {
    scale = tf.withName("loss_scale.scale").variable(tf.withInitScope().constant((float) initial));
    goodSteps = tf.withName("loss_scale.good_steps").variable(tf.withInitScope().constant(0L));
    skippedSteps = tf.withName("loss_scale.skipped_steps").variable(tf.withInitScope().constant(0L));
    scaleValue = tf.withName("loss_scale.value").identity(scale);
    skippedValue = tf.withName("loss_scale.skipped").identity(skippedSteps);
  }

  /** The scale S, read for this step. */
  public Operand<TFloat32> value() {
    return scaleValue;
  }

  /** The number of steps skipped so far because their gradients were not finite. */
  public Operand<TInt64> skipped() {
    return skippedValue;
  }

  /**
   * The update of S and its counters from this step's {@code finite}; build it with ops that run
   * after every use of {@link #value()} (the gradients' finiteness depends on all of them).
   */
  public Op update(Ops tf, Operand<TBool> finite, long growthInterval) {
    Operand<TInt64> good = tf.identity(goodSteps);
    Operand<TInt64> next = tf.math.add(good, tf.constant(1L));
    Operand<TBool> grow = tf.math.logicalAnd(finite, tf.math.equal(next, tf.constant(growthInterval)));
    Operand<TFloat32> s = tf.identity(scale);
    Operand<TFloat32> newScale = tf.select(grow, tf.math.mul(s, tf.constant(2f)),
        tf.select(finite, s, tf.math.div(s, tf.constant(2f))));
    Operand<TInt64> newGood = tf.select(finite, tf.select(grow, tf.constant(0L), next), tf.constant(0L));
    Operand<TInt64> newSkipped = tf.math.add(tf.identity(skippedSteps),
        tf.select(finite, tf.constant(0L), tf.constant(1L)));
    return tf.withControlDependencies(List.of(
            tf.assign(scale, newScale), tf.assign(goodSteps, newGood), tf.assign(skippedSteps, newSkipped)))
        .withName("loss_scale.update").noOp();
  }
}
