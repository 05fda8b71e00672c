package org.diffusiondepot.firststage;

import org.diffusiondepot.nn.Layers;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.train.BatchMatMul;
import org.tensorflow.types.TFloat32;

/**
 * Single-head self-attention over all H x W positions with a residual (taming's AttnBlock): GN,
 * q/k/v projections (1x1 convs, here one dense layer), softmax(q k^T / sqrt(C)) v, projection.
 */
final class SelfAttention {
  private SelfAttention() {}

  static Operand<TFloat32> apply(Layers l, String name, Operand<TFloat32> x, int channels, int groups) {
    Ops tf = l.tf();
    int positions = (int) (x.shape().get(1) * x.shape().get(2));
    Operand<TFloat32> h = l.groupNorm(name + "/norm", x, channels, groups);
    Operand<TFloat32> tokens = tf.reshape(h, tf.constant(new int[] {-1, channels}));
    Operand<TFloat32> qkv = tf.reshape(l.dense(name + "/qkv", tokens, channels, 3 * channels),
        tf.constant(new int[] {-1, positions, 3 * channels}));
    var parts = tf.split(tf.constant(2), qkv, 3L);
    Operand<TFloat32> q = parts.output().get(0);
    Operand<TFloat32> k = parts.output().get(1);
    Operand<TFloat32> v = parts.output().get(2);
    Operand<TFloat32> logits = tf.math.mul(tf.train.batchMatMul(q, k, TFloat32.class, BatchMatMul.adjY(true)),
        tf.constant((float) (1.0 / Math.sqrt(channels))));
    Operand<TFloat32> attended = tf.train.batchMatMul(tf.nn.softmax(logits), v, TFloat32.class);
    Operand<TFloat32> projected = l.dense(name + "/proj", tf.reshape(attended, tf.constant(new int[] {-1, channels})),
        channels, channels);
    return tf.math.add(x, tf.reshape(projected, tf.shape(x)));
  }
}
