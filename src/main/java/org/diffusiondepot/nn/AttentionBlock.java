package org.diffusiondepot.nn;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Single-head self-attention over the H x W positions with a residual (Ho et al. 2020); taming's
 * AttnBlock is the same computation, so the VQGAN uses it too.
 */
public final class AttentionBlock {
  private AttentionBlock() {}

  public static Operand<TFloat32> apply(Layers l, String name, Operand<TFloat32> x, int channels, int groups) {
    Ops tf = l.tf();
    int height = (int) x.shape().get(1);
    int width = (int) x.shape().get(2);
    int positions = height * width;
    Operand<TFloat32> h = l.groupNorm(name + "/norm", x, channels, groups);
    Operand<TFloat32> tokens = tf.reshape(h, tf.constant(new int[] {-1, channels}));
    Operand<TFloat32> qkv = tf.reshape(l.dense(name + "/qkv", tokens, channels, 3 * channels),
        tf.constant(new int[] {-1, positions, 3 * channels}));
    var parts = tf.split(tf.constant(2), qkv, 3L);
    Operand<TFloat32> q = parts.output().get(0);
    Operand<TFloat32> k = parts.output().get(1);
    Operand<TFloat32> v = parts.output().get(2);
    Operand<TFloat32> logits = tf.math.mul(l.batchMatMul(q, k, true),
        tf.constant((float) (1.0 / Math.sqrt(channels))));
    Operand<TFloat32> weights = tf.nn.softmax(logits);
    Operand<TFloat32> attended = l.batchMatMul(weights, v, false);
    Operand<TFloat32> projected = l.dense(name + "/proj", tf.reshape(attended, tf.constant(new int[] {-1, channels})),
        channels, channels);
    return tf.math.add(x, tf.reshape(projected, tf.shape(x)));
  }
}
