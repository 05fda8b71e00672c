package org.diffusiondepot.optim;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.diffusiondepot.nn.Initializer;
import org.diffusiondepot.nn.VariableStore;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * Exponential moving average of the trainable weights: shadow -= (1 - d) (shadow - w) after each
 * optimizer step, with d = min(decay, (1 + n) / (10 + n)) during warm-up (n = completed steps).
 * Without the warm-up a 0.9999 average still holds most of the random initial weights after
 * thousands of steps. Shadows are classic variables named {@code ema/<var>}.
 */
public final class Ema {
  private final Map<String, Variable<TFloat32>> shadows = new LinkedHashMap<>();
  private final List<Op> copyFromWeights = new ArrayList<>();

  public Ema(Ops tf, Map<String, Variable<TFloat32>> weights) {
    for (Map.Entry<String, Variable<TFloat32>> e : weights.entrySet()) {
      Variable<TFloat32> w = e.getValue();
      Variable<TFloat32> shadow = VariableStore.scopedOps(tf, "ema/" + e.getKey())
          .variable(Initializer.zeros().create(tf.withInitScope(), w.shape(), 0));
      shadows.put(e.getKey(), shadow);
      copyFromWeights.add(tf.assign(shadow, tf.identity(w)));
    }
  }

  /** The shadows keyed by the name of the weight they follow. */
  public Map<String, Variable<TFloat32>> shadows() {
    return shadows;
  }

  /** Ops that set every shadow to its weight: run once after initialising a fresh run. */
  public List<Op> copyFromWeights() {
    return copyFromWeights;
  }

  /** d for the update after {@code completedSteps} steps. */
  public static Operand<TFloat32> decay(Ops tf, Operand<TInt64> completedSteps, double decay, boolean warmup) {
    Operand<TFloat32> target = tf.constant((float) decay);
    if (!warmup) {
      return target;
    }
    Operand<TFloat32> n = tf.dtypes.cast(completedSteps, TFloat32.class);
    Operand<TFloat32> ramp = tf.math.div(tf.math.add(n, tf.constant(1f)), tf.math.add(n, tf.constant(10f)));
    return tf.math.minimum(target, ramp);
  }

  /**
   * Update ops; each shadow's ops wait for the op {@code weightUpdates} names for its weight. Give
   * every weight the same barrier op to average after the whole update, as the trainer does, not
   * the list of all updates: gating each of the four ops per shadow on every update made ops x
   * weights control edges (240k on the tiny benchmark model), which grappler walked for seconds
   * before the first step.
   *
   * @param weightUpdates the op after which each weight holds this step's value, keyed like
   *     {@code weights}
   */
  public List<Op> update(Ops tf, Map<String, Variable<TFloat32>> weights, Map<String, ? extends Op> weightUpdates,
      Operand<TFloat32> decay) {
    Operand<TFloat32> rate = tf.math.sub(tf.constant(1f), decay);
    List<Op> ops = new ArrayList<>();
    for (Map.Entry<String, Variable<TFloat32>> e : weights.entrySet()) {
      Op updated = weightUpdates.get(e.getKey());
      if (updated == null) {
        throw new IllegalArgumentException("no update op for weight " + e.getKey());
      }
      Ops gated = tf.withControlDependencies(List.of(updated));
      Variable<TFloat32> shadow = shadows.get(e.getKey());
      Operand<TFloat32> diff = gated.math.sub(gated.identity(shadow), gated.identity(e.getValue()));
      // shadow -= (1 - d) (shadow - w) as one fused op: the small model is bound by op count
      ops.add(gated.train.applyGradientDescent(shadow, rate, diff));
    }
    return ops;
  }
}
