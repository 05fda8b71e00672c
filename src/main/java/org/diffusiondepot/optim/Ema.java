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
   * Update ops; build them with {@code tf} gated on one op that follows all optimizer updates, not
   * on the list of updates: every op built here would then wait on every update, ops x weights
   * control edges (240k on the tiny benchmark model) that grappler walked for seconds before the
   * first step.
   */
  public List<Op> update(Ops tf, Map<String, Variable<TFloat32>> weights, Operand<TFloat32> decay) {
    Operand<TFloat32> rate = tf.math.sub(tf.constant(1f), decay);
    List<Op> ops = new ArrayList<>();
    for (Map.Entry<String, Variable<TFloat32>> e : weights.entrySet()) {
      Variable<TFloat32> shadow = shadows.get(e.getKey());
      Operand<TFloat32> diff = tf.math.sub(tf.identity(shadow), tf.identity(e.getValue()));
      // shadow -= (1 - d) (shadow - w) as one fused op: the small model is bound by op count
      ops.add(tf.train.applyGradientDescent(shadow, rate, diff));
    }
    return ops;
  }
}
