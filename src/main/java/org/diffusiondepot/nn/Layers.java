package org.diffusiondepot.nn;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.train.BatchMatMul;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TFloating;

/**
 * The graph primitives every network here is made of, NHWC float32 (products optionally in 16 bits). Parameters come from a
 * {@link ParameterStore}, so a layer never knows whether it trains, samples or is only counted.
 */
public final class Layers {
  private static final float SQRT_HALF = (float) Math.sqrt(0.5);
  private static final float INV_SQRT_2PI = (float) (1 / Math.sqrt(2 * Math.PI));
  private static final org.tensorflow.op.math.Mean.Options KEEP_DIMS = org.tensorflow.op.math.Mean.keepDims(true);

  private final Ops tf;
  private final ParameterStore params;
  private final Arithmetic arithmetic;
  private final boolean leanActivations;
  private final boolean ownBackward;

  public Layers(Ops tf, ParameterStore params) {
    this(tf, params, Arithmetic.FP32);
  }

  /** @param arithmetic the type convolutions and matrix products run in; all else stays fp32 */
  public Layers(Ops tf, ParameterStore params, Arithmetic arithmetic) {
    this(tf, params, arithmetic, false);
  }

  /**
   * @param leanActivations GELU and SiLU carry their own derivative ({@link #withSlope}), so that
   *     the backward pass keeps one tensor per activation instead of three (GELU) or two (SiLU)
   */
  public Layers(Ops tf, ParameterStore params, Arithmetic arithmetic, boolean leanActivations) {
    this(tf, params, arithmetic, leanActivations, true);
  }

  /**
   * @param ownBackward convolutions and GroupNorm carry their own backward passes ({@link
   *     ConvolutionBackward}, {@link GroupNormBackward}); graphs that are never differentiated
   *     leave them out, since a session without grappler (the sampler's) runs their carriers' ops
   */
  public Layers(Ops tf, ParameterStore params, Arithmetic arithmetic, boolean leanActivations,
      boolean ownBackward) {
    this.tf = tf;
    this.params = params;
    this.arithmetic = arithmetic;
    this.leanActivations = leanActivations;
    this.ownBackward = ownBackward;
  }

  public Ops tf() {
    return tf;
  }

  /** The same layers building their ops with {@code other} (e.g. under control dependencies). */
  public Layers on(Ops other) {
    return new Layers(other, params, arithmetic, leanActivations, ownBackward);
  }

  /**
   * k x k convolution with bias, SAME padding. Stride-1 fp32 ones with an odd k take their backward
   * pass from {@link ConvolutionBackward}.
   */
  public Operand<TFloat32> conv(String name, Operand<TFloat32> x, int in, int out, int k, int stride) {
    long fanIn = (long) in * k * k;
    Operand<TFloat32> kernel = params.parameter(name + "/kernel", Shape.of(k, k, in, out),
        Initializer.uniformFanIn(fanIn));
    Operand<TFloat32> bias = params.parameter(name + "/bias", Shape.of(out), Initializer.uniformFanIn(fanIn));
    Class<? extends TFloating> type = convolutionType(in);
    Operand<TFloat32> y = tf.nn.biasAdd(conv2d(type, x, kernel, List.of(1L, (long) stride, (long) stride, 1L)), bias);
    return ownBackward && stride == 1 && k % 2 == 1 && type == TFloat32.class
        ? ConvolutionBackward.attach(tf, y, x, kernel, bias) : y;
  }

  /** Depthwise k x k convolution (one filter per channel) with bias. */
  public Operand<TFloat32> depthwiseConv(String name, Operand<TFloat32> x, int channels, int k) {
    long fanIn = (long) k * k;
    Operand<TFloat32> kernel = params.parameter(name + "/kernel", Shape.of(k, k, channels, 1),
        Initializer.uniformFanIn(fanIn));
    Operand<TFloat32> bias = params.parameter(name + "/bias", Shape.of(channels), Initializer.uniformFanIn(fanIn));
    Operand<TFloat32> y = depthwiseConv2d(arithmetic.type(), x, kernel);
    return tf.nn.biasAdd(y, bias);
  }

  /** Fully connected layer on [..., in]. */
  public Operand<TFloat32> dense(String name, Operand<TFloat32> x, int in, int out) {
    Operand<TFloat32> kernel = params.parameter(name + "/kernel", Shape.of(in, out), Initializer.uniformFanIn(in));
    Operand<TFloat32> bias = params.parameter(name + "/bias", Shape.of(out), Initializer.uniformFanIn(in));
    return tf.nn.biasAdd(matMul(arithmetic.type(), x, kernel), bias);
  }

  /** Batched a b (or a b^T), in the layers' arithmetic: attention's two products. */
  public Operand<TFloat32> batchMatMul(Operand<TFloat32> a, Operand<TFloat32> b, boolean transposeB) {
    return batchMatMul(arithmetic.type(), a, b, transposeB);
  }

  /**
   * TensorFlow 2.18's CPU Conv2D computes wrong bf16 results, forward only, when the input has an
   * odd number of channels above one (23-57% relative error for 3, 5, 7, 9 or 33 channels, 0.3% for
   * even counts; its backward ops and DepthwiseConv2dNative are right): such convolutions, a UNet's
   * first one among them, stay fp32. They are the cheapest of the network.
   */
  private Class<? extends TFloating> convolutionType(int inChannels) {
    return inChannels > 1 && inChannels % 2 == 1 ? TFloat32.class : arithmetic.type();
  }

  private <T extends TFloating> Operand<TFloat32> conv2d(Class<T> type, Operand<TFloat32> x,
      Operand<TFloat32> kernel, List<Long> strides) {
    return up(tf.nn.conv2d(down(x, type), down(kernel, type), strides, "SAME"));
  }

  private <T extends TFloating> Operand<TFloat32> depthwiseConv2d(Class<T> type, Operand<TFloat32> x,
      Operand<TFloat32> kernel) {
    return up(tf.nn.depthwiseConv2dNative(down(x, type), down(kernel, type), List.of(1L, 1L, 1L, 1L), "SAME"));
  }

  private <T extends TFloating> Operand<TFloat32> matMul(Class<T> type, Operand<TFloat32> a, Operand<TFloat32> b) {
    return up(tf.linalg.matMul(down(a, type), down(b, type)));
  }

  private <T extends TFloating> Operand<TFloat32> batchMatMul(Class<T> type, Operand<TFloat32> a,
      Operand<TFloat32> b, boolean transposeB) {
    return up(tf.train.batchMatMul(down(a, type), down(b, type), type, BatchMatMul.adjY(transposeB)));
  }

  @SuppressWarnings("unchecked")
  private <T extends TFloating> Operand<T> down(Operand<TFloat32> x, Class<T> type) {
    return type == TFloat32.class ? (Operand<T>) x : tf.dtypes.cast(x, type);
  }

  @SuppressWarnings("unchecked")
  private <T extends TFloating> Operand<TFloat32> up(Operand<T> y) {
    return y.type() == TFloat32.class ? (Operand<TFloat32>) y : tf.dtypes.cast(y, TFloat32.class);
  }

  /** A learned table of {@code count} vectors, looked up by integer index. */
  public Operand<TFloat32> embedding(String name, Operand<TInt32> index, int count, int dim) {
    Operand<TFloat32> table = params.parameter(name + "/table", Shape.of(count, dim), Initializer.normal(1f));
    return tf.gather(table, index, tf.constant(0));
  }

  /**
   * GroupNorm (Wu and He 2018) over NHWC with {@code gcd(groups, channels)} groups, eps 1e-5, then a
   * per-channel scale and shift. Computed as y = x * scale + shift, with scale = gamma / sigma and
   * shift = beta - mean * scale folded per (example, channel), from per-channel moments averaged
   * into groups: two full passes over x instead of four, and reductions over one axis only. On
   * this CPU that is 1.5-2x faster, forward and backward, than the textbook form.
   */
  public Operand<TFloat32> groupNorm(String name, Operand<TFloat32> x, int channels, int groups) {
    int g = gcd(groups, channels);
    int perGroup = channels / g;
    Shape s = x.shape();
    int positions = (int) (s.get(1) * s.get(2));
    Operand<TFloat32> gamma = params.parameter(name + "/gamma", Shape.of(channels), Initializer.ones());
    Operand<TFloat32> beta = params.parameter(name + "/beta", Shape.of(channels), Initializer.zeros());
    Operand<TFloat32> flat = tf.reshape(x, tf.constant(new int[] {-1, positions, channels}));
    Operand<TInt32> overPositions = tf.constant(new int[] {1});
    Operand<TInt32> grouped = tf.constant(new int[] {-1, 1, g, perGroup});
    Operand<TInt32> withinGroup = tf.constant(new int[] {3});
    Operand<TFloat32> mean = groupMean(tf.math.mean(flat, overPositions, KEEP_DIMS), grouped, withinGroup);
    Operand<TFloat32> meanSquare = groupMean(tf.math.mean(tf.math.square(flat), overPositions, KEEP_DIMS),
        grouped, withinGroup);
    // E[x^2] - E[x]^2 can dip below 0 by rounding when the variance is tiny.
    Operand<TFloat32> variance = tf.math.sub(meanSquare, tf.math.square(mean));
    Operand<TFloat32> inverseStd = tf.math.rsqrt(tf.math.add(tf.math.maximum(variance, tf.constant(0f)),
        tf.constant(1e-5f)));
    Operand<TInt32> groupedChannels = tf.constant(new int[] {1, 1, g, perGroup});
    Operand<TFloat32> groupGamma = tf.reshape(gamma, groupedChannels);
    Operand<TFloat32> groupBeta = tf.reshape(beta, groupedChannels);
    Operand<TFloat32> groupScale = tf.math.mul(inverseStd, groupGamma);
    Operand<TFloat32> groupShift = tf.math.sub(groupBeta, tf.math.mul(mean, groupScale));
    Operand<TInt32> perChannel = tf.constant(new int[] {-1, 1, channels});
    Operand<TFloat32> y = tf.math.add(tf.math.mul(flat, tf.reshape(groupScale, perChannel)),
        tf.reshape(groupShift, perChannel));
    if (ownBackward && GroupNormBackward.enabled()) {
      Operand<TInt32> groupedValues = tf.constant(new int[] {-1, positions, g, perGroup});
      y = GroupNormBackward.attach(tf, tf.reshape(y, groupedValues), tf.reshape(flat, groupedValues), groupGamma,
          groupBeta, mean, variance, inverseStd);
    }
    return tf.reshape(y, tf.shape(x));
  }

  private Operand<TFloat32> groupMean(Operand<TFloat32> channelMoment, Operand<TInt32> grouped,
      Operand<TInt32> withinGroup) {
    return tf.math.mean(tf.reshape(channelMoment, grouped), withinGroup, KEEP_DIMS);
  }

  /** SiLU / swish: x * sigmoid(x). */
  public Operand<TFloat32> silu(Operand<TFloat32> x) {
    Operand<TFloat32> sigmoid = tf.math.sigmoid(x);
    Operand<TFloat32> y = tf.math.mul(x, sigmoid);
    if (!leanActivations) {
      return y;
    }
    // d/dx x s(x) = s(x) (1 + x (1 - s(x)))
    Operand<TFloat32> slope = tf.math.mul(sigmoid,
        tf.math.add(tf.constant(1f), tf.math.mul(x, tf.math.sub(tf.constant(1f), sigmoid))));
    return withSlope(x, y, slope);
  }

  /** GELU, exact erf form: 0.5 x (1 + erf(x / sqrt 2)) (there is no Gelu op to differentiate). */
  public Operand<TFloat32> gelu(Operand<TFloat32> x) {
    Operand<TFloat32> cdf = tf.math.add(tf.constant(0.5f),
        tf.math.mul(tf.constant(0.5f), tf.math.erf(tf.math.mul(x, tf.constant(SQRT_HALF)))));
    Operand<TFloat32> y = tf.math.mul(x, cdf);
    if (!leanActivations) {
      return y;
    }
    // d/dx x Phi(x) = Phi(x) + x phi(x), phi(x) = exp(-x^2 / 2) / sqrt(2 pi)
    Operand<TFloat32> pdf = tf.math.mul(tf.constant(INV_SQRT_2PI),
        tf.math.exp(tf.math.mul(tf.constant(-0.5f), tf.math.square(x))));
    return withSlope(x, y, tf.math.add(cdf, tf.math.mul(x, pdf)));
  }

  /**
   * y with the gradient dL/dx = slope * dL/dy, for an element-wise y = f(x) whose derivative is
   * {@code slope}: x * sg(slope) + sg(y - x * slope), sg = stop gradient. The value is y (to a
   * rounding of x * slope); the backward pass keeps only the slope, one tensor, where the
   * differentiated formula keeps every intermediate its ops' gradients read (three for GELU, two
   * for SiLU). The x * slope product's gradient with respect to the slope is built and then pruned,
   * so x is not kept for it.
   */
  private Operand<TFloat32> withSlope(Operand<TFloat32> x, Operand<TFloat32> y, Operand<TFloat32> slope) {
    Operand<TFloat32> fixedSlope = tf.stopGradient(slope);
    Operand<TFloat32> linear = tf.math.mul(x, fixedSlope);
    return tf.math.add(linear, tf.stopGradient(tf.math.sub(y, linear)));
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
