package org.diffusiondepot.optim;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.diffusiondepot.nn.Initializer;
import org.diffusiondepot.nn.VariableStore;
import org.tensorflow.Operation;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * AdamW (Loshchilov and Hutter) from raw ops: per variable, decoupled decay
 * {@code w -= lr * wd * w}, then TensorFlow's ApplyAdam
 * <pre>
 *   m = b1 m + (1 - b1) g,  v = b2 v + (1 - b2) g^2
 *   w -= lr sqrt(1 - b2^n) / (1 - b1^n) * m / (sqrt(v) + eps)      (n = completed steps + 1)
 * </pre>
 * The learning rate is a tensor fed every step, so our schedule drives it. Each update waits for
 * its gradient and for every op that reads the weight ({@link Readers}), so backprop never reads a
 * half-updated weight, yet updates overlap the rest of backprop. Slots are classic variables named
 * {@code optimizer/m/<var>} and {@code optimizer/v/<var>} and are checkpointed with the weights.
 */
public final class AdamW {
  private AdamW() {}

  public record Hyper(double beta1, double beta2, double epsilon, double weightDecay) {}

  /**
   * @param gradients gradients aligned with {@code variables}, already clipped
   * @param reads the op through which the network reads each variable, keyed like {@code variables}
   * @param completedSteps the step counter read before this update
   * @return one update op per variable, keyed like {@code variables}
   */
  public static Map<String, Op> build(Ops tf, Map<String, Variable<TFloat32>> variables, List<Operand<TFloat32>> gradients,
      Map<String, Operand<TFloat32>> reads, Operand<TFloat32> learningRate, Operand<TInt64> completedSteps, Hyper h) {
    Operand<TFloat32> n = tf.dtypes.cast(tf.math.add(completedSteps, tf.constant(1L)), TFloat32.class);
    Operand<TFloat32> beta1Power = tf.math.pow(tf.constant((float) h.beta1()), n);
    Operand<TFloat32> beta2Power = tf.math.pow(tf.constant((float) h.beta2()), n);
    Operand<TFloat32> beta1 = tf.constant((float) h.beta1());
    Operand<TFloat32> beta2 = tf.constant((float) h.beta2());
    Operand<TFloat32> epsilon = tf.constant((float) h.epsilon());
    Operand<TFloat32> decayRate = tf.math.mul(learningRate, tf.constant((float) h.weightDecay()));
    Map<String, Op> updates = new LinkedHashMap<>();
    int i = 0;
    for (Map.Entry<String, Variable<TFloat32>> e : variables.entrySet()) {
      Variable<TFloat32> w = e.getValue();
      Variable<TFloat32> m = slot(tf, "optimizer/m/" + e.getKey(), w);
      Variable<TFloat32> v = slot(tf, "optimizer/v/" + e.getKey(), w);
      Operand<TFloat32> g = gradients.get(i++);
      List<Operation> before = new ArrayList<>(Readers.of(reads.get(e.getKey())));
      before.add(g.op());
      Ops gated = tf.withControlDependencyOps(before);
      if (h.weightDecay() > 0) {
        // w -= (lr wd) w as one fused op (ApplyGradientDescent with the weight as its own delta):
        // the same arithmetic as a multiply and an AssignSub, one op and one temporary fewer
        gated = tf.withControlDependencies(gated.train.applyGradientDescent(w, decayRate, gated.identity(w)));
      }
      updates.put(e.getKey(), gated.train.applyAdam(w, m, v, beta1Power, beta2Power, learningRate, beta1, beta2,
          epsilon, g));
    }
    return updates;
  }

  private static Variable<TFloat32> slot(Ops tf, String name, Variable<TFloat32> like) {
    return VariableStore.scopedOps(tf, name)
        .variable(Initializer.zeros().create(tf.withInitScope(), like.shape(), 0));
  }
}
