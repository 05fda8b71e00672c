package org.diffusiondepot.nn;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The graph primitives every network here is made of, NHWC float32. Parameters come from a
 * {@link ParameterStore}, so a layer never knows whether it trains, samples or is only counted.
 */
public final class Layers {
  private static final float SQRT_HALF = (float) Math.sqrt(0.5);

  private final Ops tf;
  private final ParameterStore params;

  public Layers(Ops tf, ParameterStore params) {
    this.tf = tf;
    this.params = params;
  }

  public Ops tf() {
    return tf;
  }

  /** k x k convolution with bias, SAME padding. */
  public Operand<TFloat32> conv(String name, Operand<TFloat32> x, int in, int out, int k, int stride) {
    long fanIn = (long) in * k * k;
    Operand<TFloat32> kernel = params.parameter(name + "/kernel", Shape.of(k, k, in, out),
        Initializer.uniformFanIn(fanIn));
    Operand<TFloat32> bias = params.parameter(name + "/bias", Shape.of(out), Initializer.uniformFanIn(fanIn));
    Operand<TFloat32> y = tf.nn.conv2d(x, kernel, List.of(1L, (long) stride, (long) stride, 1L), "SAME");
    return tf.nn.biasAdd(y, bias);
  }

  /** Depthwise k x k convolution (one filter per channel) with bias. */
  public Operand<TFloat32> depthwiseConv(String name, Operand<TFloat32> x, int channels, int k) {
    long fanIn = (long) k * k;
    Operand<TFloat32> kernel = params.parameter(name + "/kernel", Shape.of(k, k, channels, 1),
        Initializer.uniformFanIn(fanIn));
    Operand<TFloat32> bias = params.parameter(name + "/bias", Shape.of(channels), Initializer.uniformFanIn(fanIn));
    Operand<TFloat32> y = tf.nn.depthwiseConv2dNative(x, kernel, List.of(1L, 1L, 1L, 1L), "SAME");
    return tf.nn.biasAdd(y, bias);
  }

  /** Fully connected layer on [..., in]. */
  public Operand<TFloat32> dense(String name, Operand<TFloat32> x, int in, int out) {
    Operand<TFloat32> kernel = params.parameter(name + "/kernel", Shape.of(in, out), Initializer.uniformFanIn(in));
    Operand<TFloat32> bias = params.parameter(name + "/bias", Shape.of(out), Initializer.uniformFanIn(in));
    return tf.nn.biasAdd(tf.linalg.matMul(x, kernel), bias);
  }

  /** A learned table of {@code count} vectors, looked up by integer index. */
  public Operand<TFloat32> embedding(String name, Operand<TInt32> index, int count, int dim) {
    Operand<TFloat32> table = params.parameter(name + "/table", Shape.of(count, dim), Initializer.normal(1f));
    return tf.gather(table, index, tf.constant(0));
  }

  /**
   * GroupNorm (Wu and He 2018) over NHWC with {@code gcd(groups, channels)} groups, eps 1e-5, then a
   * per-channel scale and shift. Spatial sizes must be static.
   */
  public Operand<TFloat32> groupNorm(String name, Operand<TFloat32> x, int channels, int groups) {
    int g = gcd(groups, channels);
    Operand<TFloat32> normed;
    if (g == 1) {
      normed = normalize(x, tf.constant(new int[] {1, 2, 3}));
    } else {
      Shape s = x.shape();
      Operand<TInt32> grouped = tf.constant(new int[] {-1, (int) s.get(1), (int) s.get(2), g, channels / g});
      Operand<TFloat32> xg = tf.reshape(x, grouped);
      normed = tf.reshape(normalize(xg, tf.constant(new int[] {1, 2, 4})), tf.shape(x));
    }
    Operand<TFloat32> gamma = params.parameter(name + "/gamma", Shape.of(channels), Initializer.ones());
    Operand<TFloat32> beta = params.parameter(name + "/beta", Shape.of(channels), Initializer.zeros());
    return tf.nn.biasAdd(tf.math.mul(normed, gamma), beta);
  }

  private Operand<TFloat32> normalize(Operand<TFloat32> x, Operand<TInt32> axes) {
    Operand<TFloat32> mean = tf.math.mean(x, axes, org.tensorflow.op.math.Mean.keepDims(true));
    Operand<TFloat32> variance = tf.math.mean(tf.math.squaredDifference(x, tf.stopGradient(mean)), axes,
        org.tensorflow.op.math.Mean.keepDims(true));
    return tf.math.mul(tf.math.sub(x, mean), tf.math.rsqrt(tf.math.add(variance, tf.constant(1e-5f))));
  }

  /** SiLU / swish: x * sigmoid(x). */
  public Operand<TFloat32> silu(Operand<TFloat32> x) {
    return tf.math.mul(x, tf.math.sigmoid(x));
  }

  /** GELU, exact erf form: 0.5 x (1 + erf(x / sqrt 2)) (there is no Gelu op to differentiate). */
  public Operand<TFloat32> gelu(Operand<TFloat32> x) {
    Operand<TFloat32> cdf = tf.math.add(tf.constant(0.5f),
        tf.math.mul(tf.constant(0.5f), tf.math.erf(tf.math.mul(x, tf.constant(SQRT_HALF)))));
    return tf.math.mul(x, cdf);
  }

  /** Inverted dropout; the identity when rate is 0. */
  public Operand<TFloat32> dropout(Operand<TFloat32> x, float rate, long seed) {
    if (rate <= 0f) {
      return x;
    }
    Operand<TFloat32> u = tf.random.randomUniform(tf.shape(x), TFloat32.class,
        org.tensorflow.op.random.RandomUniform.seed(seed & 0x7fffffffL));
    Operand<TFloat32> keep = tf.dtypes.cast(tf.math.greaterEqual(u, tf.constant(rate)), TFloat32.class);
    return tf.math.mul(x, tf.math.mul(keep, tf.constant(1f / (1f - rate))));
  }

  /** Nearest-neighbour 2x upsampling. */
  public Operand<TFloat32> upsample2x(Operand<TFloat32> x) {
    Shape s = x.shape();
    return tf.image.resizeNearestNeighbor(x, tf.constant(new int[] {(int) s.get(1) * 2, (int) s.get(2) * 2}));
  }

  /** Adds a [B, C] vector to every pixel of [B, H, W, C]. */
  public Operand<TFloat32> addPerChannel(Operand<TFloat32> x, Operand<TFloat32> vector) {
    return tf.math.add(x, tf.expandDims(tf.expandDims(vector, tf.constant(1)), tf.constant(1)));
  }

  public static int gcd(int a, int b) {
    return b == 0 ? a : gcd(b, a % b);
  }
}
