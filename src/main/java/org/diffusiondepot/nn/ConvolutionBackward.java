package org.diffusiondepot.nn;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.diffusiondepot.runtime.ActiveKernels;
import org.diffusiondepot.runtime.KernelChoices.Kernels;
import org.diffusiondepot.runtime.OptionException;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.IdentityN;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The backward pass of a k x k, stride 1, SAME convolution with bias (k odd), built from forward
 * convolutions, which TensorFlow's CPU kernels run faster than its Conv2DBackpropInput and
 * Conv2DBackpropFilter:
 * <ul>
 *   <li>dx = conv(dy, the kernel turned by 180 degrees with its channel axes swapped), SAME: the
 *       adjoint of a stride-1 SAME convolution with an odd kernel;
 *   <li>dW = conv(x_pad with batch and channels swapped, dy with batch as its input channels),
 *       VALID: [in, H + k - 1, W + k - 1, N] against [H, W, N, out] gives [in, k, k, out], the sum
 *       over batch and positions of x shifted by each tap times dy (or, with more input than
 *       output channels, dy_pad sliding over x: {@link #kernelGradient}); for k = 1 one matrix
 *       product, x^T dy; when the process runs oneDNN's kernels, k > 1 takes TensorFlow's
 *       Conv2DBackpropFilter instead ({@link #oneDnnKernelGradient});
 *   <li>db = BiasAddGrad(dy).
 * </ul>
 * Training steps of the benchmark models took 5-25% less time with it (README, "Performance"); the
 * gradients are TensorFlow's to float rounding ({@code ConvolutionBackwardTest}).
 * {@code -Ddepot.convolutionBackward=tensorflow} keeps TensorFlow's own throughout.
 *
 * <p>TensorFlow Java cannot replace the registered gradient of Conv2D, so the layer's output passes
 * through an {@code IdentityN} whose inputs are [stop_gradient(output), x, kernel, bias]: the only
 * way back from the output is this class's gradient ({@link CarrierGradient}). Grappler drops the
 * StopGradient, and the forward convolution and bias stay one fused op.
 */
public final class ConvolutionBackward {
  static final String PROPERTY = "depot.convolutionBackward";
  /**
   * Name of the IdentityN that carries the gradient, followed by k, an "o" when dW slides dy over x
   * ({@link #kernelGradient}), and TensorFlow's _N suffix. The gradient reads these from the name
   * because TensorFlow holds the graph's lock while it builds gradients: a gradient function that
   * asks the graph for a shape waits for that lock forever.
   */
  static final String MARKER = "conv_backward_k";
  static final String SLIDING_OUTPUT = "o";
  private static final Pattern CARRIER = Pattern.compile("(?:^|/)" + MARKER + "(\\d+)(" + SLIDING_OUTPUT
      + "?)(?:_\\d+)?$");
  private static final List<Long> UNIT_STRIDES = List.of(1L, 1L, 1L, 1L);

  private ConvolutionBackward() {}

  /**
   * {@code y} (= bias_add(conv2d(x, kernel, stride 1, SAME), bias)) with this class's backward
   * pass; {@code y} itself when turned off or when IdentityN has another gradient in this process.
   */
  static Operand<TFloat32> attach(Ops tf, Operand<TFloat32> y, Operand<TFloat32> x, Operand<TFloat32> kernel,
      Operand<TFloat32> bias) {
    if ("tensorflow".equals(System.getProperty(PROPERTY)) || !CarrierGradient.registered()) {
      return y;
    }
    oneDnnKernelGradient(); // probes the kernels here: the gradient runs under the graph's lock
    int k = (int) kernel.shape().get(0);
    // the cheaper of the two forms of dW transposes the tensor with fewer channels in full
    String form = k > 1 && kernel.shape().get(3) < kernel.shape().get(2) ? SLIDING_OUTPUT : "";
    // Op names, not a sub-scope: TensorFlow Java's withSubScope reads every op of the graph, which
    // made building a graph quadratic in its size (a minute for the layout tests' 57k-op graphs).
    Operand<TFloat32> stopped = tf.withName(MARKER + k + form + "_output").stopGradient(y);
    IdentityN carrier = tf.withName(MARKER + k + form).identityN(List.of(stopped, x, kernel, bias));
    @SuppressWarnings("unchecked")
    Operand<TFloat32> out = (Operand<TFloat32>) carrier.output().get(0);
    return out;
  }

  /**
   * Whether k x k kernels (k > 1) take their gradient from TensorFlow's Conv2DBackpropFilter, which
   * oneDNN's kernels run faster than the transposes and convolution of {@link #kernelGradient}: the
   * tiny benchmark model's step took 0.310 s against 0.341 s with oneDNN's kernels, and with Eigen's
   * the filter op was the slower, 0.381 s against 0.352 s (README, "Performance"). {@code
   * -Ddepot.convolutionBackward=forward} keeps the forward-convolution form with either, {@code
   * =filter} takes the filter op with either (to compare on a CPU).
   */
  static boolean oneDnnKernelGradient() {
    String mode = System.getProperty(PROPERTY, "");
    return switch (mode) {
      case "forward" -> false;
      case "filter" -> true;
      case "", "tensorflow" -> ActiveKernels.get() == Kernels.ONEDNN;
      default -> throw new OptionException("-D" + PROPERTY + "=" + mode + ": expected tensorflow, forward or filter"
          + " (unset: the forward-convolution backward pass, with oneDNN's filter gradient when TensorFlow runs"
          + " oneDNN's kernels)");
    };
  }

  /** Whether {@code op} is one of this class's carriers. */
  static boolean carries(GraphOperation op) {
    return CARRIER.matcher(op.name()).find() && op.numInputs() == 4;
  }

  @SuppressWarnings("unchecked")
  static List<Operand<?>> gradient(Ops tf, GraphOperation op, List<Output<?>> gradients) {
    Matcher carrier = CARRIER.matcher(op.name());
    if (!carrier.find()) {
      throw new IllegalArgumentException(op.name() + " is not a convolution carrier");
    }
    int k = Integer.parseInt(carrier.group(1));
    Operand<TFloat32> dy = (Operand<TFloat32>) gradients.get(0);
    Operand<TFloat32> x = (Operand<TFloat32>) op.input(1);
    Operand<TFloat32> kernel = (Operand<TFloat32>) op.input(2);
    Operand<TFloat32> adjoint = tf.reverse(tf.linalg.transpose(kernel, tf.constant(new int[] {0, 1, 3, 2})),
        tf.constant(new int[] {0, 1}));
    Operand<TFloat32> dx = tf.nn.conv2d(dy, adjoint, UNIT_STRIDES, "SAME");
    Operand<TFloat32> dKernel = k > 1 && oneDnnKernelGradient()
        ? tf.nn.conv2dBackpropFilter(x, tf.shape(kernel), dy, UNIT_STRIDES, "SAME")
        : kernelGradient(tf, x, dy, k, kernel, !carrier.group(2).isEmpty());
    Operand<TFloat32> dBias = tf.nn.biasAddGrad(dy);
    // The first input is the StopGradient, which passes nothing on: any tensor of its shape will do.
    return List.of(dy, dx, dKernel, dBias);
  }

  /**
   * dW[di, dj, c, o] = sum over b, i, j of x_pad[b, i + di, j + dj, c] dy[b, i, j, o], as one
   * VALID convolution in either of two forms. Each moves the batch into the channel axis of both
   * operands: a cheap transpose for the one used as the filter ([H, W, N, C], whole channel rows
   * move), a full one for the one the filter slides over ([C, H + k - 1, W + k - 1, N], runs of N
   * values), which costs the most (the transposes were 10% of the 128 px ResNet's op time). So the
   * full transpose goes to the tensor with fewer channels: x's (x slides, dy is the filter) or,
   * when the convolution has more input than output channels (a decoder's first convolution, on
   * the concatenated skip), dy's ({@code slidingOutput}): with dy_pad sliding over x, the product
   * is [out, k, k, in] with the taps reversed, since dy_pad[b, p + k - 1 - di] = dy[b, p - di + k/2].
   */
  private static Operand<TFloat32> kernelGradient(Ops tf, Operand<TFloat32> x, Operand<TFloat32> dy, int k,
      Operand<TFloat32> kernel, boolean slidingOutput) {
    if (k == 1) {
      return pointwiseKernelGradient(tf, x, dy, kernel);
    }
    int half = k / 2;
    Operand<TFloat32> sliding = slidingOutput ? dy : x;
    Operand<TFloat32> padded =
        tf.pad(sliding, tf.constant(new int[][] {{0, 0}, {half, half}, {half, half}, {0, 0}}), tf.constant(0f));
    Operand<TFloat32> images = tf.linalg.transpose(padded, tf.constant(new int[] {3, 1, 2, 0}));
    Operand<TFloat32> filters = tf.linalg.transpose(slidingOutput ? x : dy, tf.constant(new int[] {1, 2, 0, 3}));
    Operand<TFloat32> product = tf.nn.conv2d(images, filters, UNIT_STRIDES, "VALID");
    if (!slidingOutput) {
      return tf.linalg.transpose(product, tf.constant(new int[] {1, 2, 0, 3}));
    }
    return tf.linalg.transpose(tf.reverse(product, tf.constant(new int[] {1, 2})), tf.constant(new int[] {1, 2, 3, 0}));
  }

  /**
   * A 1x1 kernel's gradient is one matrix product, x^T dy over all positions ([N H W, in] against
   * [N H W, out]), whose reshapes alias and whose transpose the product reads in place: 2.7 times
   * as fast as the convolution form with its two transposes at [16, 32, 32, 96 -> 32] and 3.1
   * times at [4, 128, 128, 138 -> 46]. The channel counts come from the kernel's shape tensor
   * (folded to constants by grappler): asking the graph for a static shape here would wait forever
   * for the lock TensorFlow holds while it builds gradients.
   */
  private static Operand<TFloat32> pointwiseKernelGradient(Ops tf, Operand<TFloat32> x, Operand<TFloat32> dy,
      Operand<TFloat32> kernel) {
    Operand<TInt32> kernelShape = tf.shape(kernel);
    Operand<TInt32> minusOne = tf.constant(new int[] {-1});
    Operand<TInt32> inRows = tf.concat(List.of(minusOne, tf.slice(kernelShape, tf.constant(new int[] {2}),
        tf.constant(new int[] {1}))), tf.constant(0));
    Operand<TInt32> outRows = tf.concat(List.of(minusOne, tf.slice(kernelShape, tf.constant(new int[] {3}),
        tf.constant(new int[] {1}))), tf.constant(0));
    Operand<TFloat32> product = tf.linalg.matMul(tf.reshape(x, inRows), tf.reshape(dy, outRows),
        MatMul.transposeA(true));
    return tf.reshape(product, kernelShape);
  }
}
