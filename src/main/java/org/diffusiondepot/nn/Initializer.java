package org.diffusiondepot.nn;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.random.RandomUniform;
import org.tensorflow.types.TFloat32;

/** How a parameter gets its first value. Random ones are seeded from the parameter name. */
public interface Initializer {
  Operand<TFloat32> create(Ops tf, Shape shape, long seed);

  // Fill, not the zeros/ones helpers: those open a name sub-scope, which scans the whole graph.
  static Initializer zeros() {
    return (tf, shape, seed) -> tf.fill(tf.constant(shape), tf.constant(0f));
  }

  static Initializer ones() {
    return (tf, shape, seed) -> tf.fill(tf.constant(shape), tf.constant(1f));
  }

  /**
   * U(-1/sqrt(fanIn), 1/sqrt(fanIn)): PyTorch's default for Conv2d and Linear (kaiming uniform with
   * a = sqrt(5)), the initialisation the reference implementation trains with.
   */
  static Initializer uniformFanIn(long fanIn) {
    float bound = (float) (1.0 / Math.sqrt(fanIn));
    return (tf, shape, seed) -> {
      Operand<TFloat32> unit = tf.random.randomUniform(tf.constant(shape), TFloat32.class,
          RandomUniform.seed(seed & 0x7fffffffL), RandomUniform.seed2((seed >>> 31) & 0x7fffffffL));
      return tf.math.sub(tf.math.mul(unit, tf.constant(2 * bound)), tf.constant(bound));
    };
  }

  /** N(0, stddev^2), for embeddings. */
  static Initializer normal(float stddev) {
    return (tf, shape, seed) -> tf.math.mul(
        tf.random.randomStandardNormal(tf.constant(shape), TFloat32.class,
            org.tensorflow.op.random.RandomStandardNormal.seed(seed & 0x7fffffffL),
            org.tensorflow.op.random.RandomStandardNormal.seed2((seed >>> 31) & 0x7fffffffL)),
        tf.constant(stddev));
  }
}
