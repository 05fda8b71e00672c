package org.diffusiondepot.nn;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** Sinusoidal embedding of the timestep (Vaswani et al.), then Linear, SiLU, Linear. */
final class TimeEmbedding {
  private TimeEmbedding() {}

  /** [B] integer timesteps to [B, dim] sin/cos features with frequencies exp(-ln(1e4) i / (half - 1)). */
  static Operand<TFloat32> sinusoidal(Ops tf, Operand<TInt32> t, int dim) {
    int half = dim / 2;
    float[] frequencies = new float[half];
    for (int i = 0; i < half; i++) {
      frequencies[i] = (float) Math.exp(-Math.log(10000.0) * i / Math.max(half - 1, 1));
    }
    Operand<TFloat32> tf32 = tf.expandDims(tf.dtypes.cast(t, TFloat32.class), tf.constant(1));
    Operand<TFloat32> args = tf.math.mul(tf32, tf.expandDims(tf.constant(frequencies), tf.constant(0)));
    return tf.concat(java.util.List.of(tf.math.sin(args), tf.math.cos(args)), tf.constant(1));
  }

  static Operand<TFloat32> mlp(Layers l, Operand<TInt32> t, int base, int embeddingDim) {
    Operand<TFloat32> h = l.dense("temb/dense0", sinusoidal(l.tf(), t, base), 2 * (base / 2), embeddingDim);
    return l.dense("temb/dense1", l.silu(h), embeddingDim, embeddingDim);
  }
}
