package org.diffusiondepot.nn;

import java.util.List;
import java.util.regex.Pattern;
import org.diffusiondepot.runtime.OptionException;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.IdentityN;
import org.tensorflow.op.core.Sum;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * GroupNorm's backward pass written out, where TensorFlow would differentiate {@link
 * Layers#groupNorm}'s ops one by one. With x viewed as [B, P, G, C/G] (P positions, G groups), the
 * forward pass is y = x s + t with s = r gamma and t = beta - mu s per (example, channel), where
 * mu and v = E[x^2] - mu^2 are the group's moments over N = P C/G values and r = (max(v, 0) +
 * eps)^-1/2. Given dy, with S1 = sum_P dy and S2 = sum_P dy (x - mu) per (example, channel):
 * <ul>
 *   <li>dgamma = sum_B r S2, dbeta = sum_B S1;
 *   <li>dL/dv = -r^3 / 2 [v >= 0] sum_group gamma S2, dL/dmu = -sum_group s S1 - 2 mu dL/dv;
 *   <li>dx = dy s + x (2 dL/dv / N) + dL/dmu / N.
 * </ul>
 * Two reductions over the positions and three element-wise passes, where TensorFlow's gradients of
 * the two means tile their gradients to x's size, divide them, multiply one by 2x and add the three
 * paths back together. The gradients equal TensorFlow's to float rounding ({@code
 * GroupNormBackwardTest}). {@code -Ddepot.groupNormBackward=tensorflow} keeps TensorFlow's.
 */
final class GroupNormBackward {
  static final String PROPERTY = "depot.groupNormBackward";
  static final String MARKER = "group_norm_backward";
  private static final Pattern CARRIER = Pattern.compile("(?:^|/)" + MARKER + "(?:_\\d+)?$");
  private static final Sum.Options KEEP_DIMS = Sum.keepDims(true);

  private GroupNormBackward() {}

  /** Whether GroupNorm takes this backward pass (not when turned off by the property). */
  static boolean enabled() {
    String mode = System.getProperty(PROPERTY, "");
    return switch (mode) {
      case "", "ours" -> CarrierGradient.registered();
      case "tensorflow" -> false;
      default -> throw new OptionException("-D" + PROPERTY + "=" + mode
          + ": expected ours or tensorflow (unset: ours)");
    };
  }

  /**
   * {@code y} with this backward pass. All tensors are in the grouped view: y and x [B, P, G, C/G],
   * gamma and beta [1, 1, G, C/G], the group mean, the variance before its clamp at 0 and r [B, 1,
   * G, 1].
   */
  static Operand<TFloat32> attach(Ops tf, Operand<TFloat32> y, Operand<TFloat32> x, Operand<TFloat32> gamma,
      Operand<TFloat32> beta, Operand<TFloat32> mean, Operand<TFloat32> variance, Operand<TFloat32> inverseStd) {
    // Named, not in a sub-scope: see ConvolutionBackward.attach
    IdentityN carrier = tf.withName(MARKER).identityN(List.of(tf.withName(MARKER + "_output").stopGradient(y), x,
        gamma, beta, tf.withName(MARKER + "_mean").stopGradient(mean),
        tf.withName(MARKER + "_variance").stopGradient(variance),
        tf.withName(MARKER + "_inverse_std").stopGradient(inverseStd)));
    @SuppressWarnings("unchecked")
    Operand<TFloat32> out = (Operand<TFloat32>) carrier.output().get(0);
    return out;
  }

  static boolean carries(GraphOperation op) {
    return CARRIER.matcher(op.name()).find() && op.numInputs() == 7;
  }

  @SuppressWarnings("unchecked")
  static List<Operand<?>> gradient(Ops tf, GraphOperation op, List<Output<?>> gradients) {
    Operand<TFloat32> dy = (Operand<TFloat32>) gradients.get(0);
    Operand<TFloat32> x = (Operand<TFloat32>) op.input(1);
    Operand<TFloat32> gamma = (Operand<TFloat32>) op.input(2);
    Operand<TFloat32> mean = (Operand<TFloat32>) op.input(4);
    Operand<TFloat32> variance = (Operand<TFloat32>) op.input(5);
    Operand<TFloat32> inverseStd = (Operand<TFloat32>) op.input(6);
    Operand<TInt32> batchAxis = tf.constant(new int[] {0});
    Operand<TInt32> positionAxis = tf.constant(new int[] {1});
    Operand<TInt32> channelAxis = tf.constant(new int[] {3});

    Operand<TFloat32> sumDy = tf.sum(dy, positionAxis, KEEP_DIMS);
    Operand<TFloat32> centred = tf.math.sub(tf.sum(tf.math.mul(dy, x), positionAxis, KEEP_DIMS),
        tf.math.mul(mean, sumDy));
    Operand<TFloat32> scale = tf.math.mul(inverseStd, gamma);
    Operand<TFloat32> dInverseStd = tf.sum(tf.math.mul(gamma, centred), channelAxis, KEEP_DIMS);
    Operand<TFloat32> dVariance = tf.math.mul(dInverseStd, tf.math.mul(
        tf.math.mul(tf.constant(-0.5f), tf.math.mul(inverseStd, tf.math.square(inverseStd))),
        tf.dtypes.cast(tf.math.greaterEqual(variance, tf.constant(0f)), TFloat32.class)));
    Operand<TFloat32> dMean = tf.math.sub(tf.math.neg(tf.sum(tf.math.mul(scale, sumDy), channelAxis, KEEP_DIMS)),
        tf.math.mul(tf.constant(2f), tf.math.mul(mean, dVariance)));
    Operand<TInt32> shape = tf.shape(x);
    Operand<TFloat32> count = tf.dtypes.cast(tf.prod(tf.gather(shape, tf.constant(new int[] {1, 3}), tf.constant(0)),
        tf.constant(0)), TFloat32.class);
    Operand<TFloat32> perX = tf.math.div(tf.math.mul(tf.constant(2f), dVariance), count);
    Operand<TFloat32> constant = tf.math.div(dMean, count);
    Operand<TFloat32> dx = tf.math.add(tf.math.mul(dy, scale), tf.math.add(tf.math.mul(x, perX), constant));
    Operand<TFloat32> dGamma = tf.sum(tf.math.mul(inverseStd, centred), batchAxis, KEEP_DIMS);
    Operand<TFloat32> dBeta = tf.sum(sumDy, batchAxis, KEEP_DIMS);
    // The last three inputs are StopGradients, which pass nothing on: any tensor of their shape will do.
    return List.of(dy, dx, dGamma, dBeta, mean, variance, inverseStd);
  }
}
