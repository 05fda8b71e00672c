package org.diffusiondepot.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.diffusiondepot.runtime.ActiveKernels;
import org.diffusiondepot.runtime.KernelChoices.Kernels;
import org.diffusiondepot.runtime.OptionException;
import org.diffusiondepot.runtime.Tensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * The convolutions' own backward pass gives TensorFlow's gradients (dx, dW, db of a stride-1 SAME
 * convolution with bias) without TensorFlow's backprop ops, and only where it applies.
 */
class ConvolutionBackwardTest {
  private static final int BATCH = 2;
  private static final int SIZE = 9;

  /**
   * Both forms of dW (the forward-convolution one, and TensorFlow's filter op that oneDNN runs
   * faster), forced by the property so that each runs whichever kernels this process has; the
   * forward-convolution one with x sliding (fewer input than output channels) and with dy sliding
   * (more).
   */
  @ParameterizedTest
  @CsvSource({"forward, 1, 5, 6", "forward, 3, 5, 6", "forward, 5, 5, 6", "forward, 3, 7, 4", "forward, 5, 7, 4",
      "forward, 1, 7, 4", "filter, 1, 5, 6", "filter, 3, 5, 6", "filter, 5, 5, 6", "filter, 3, 7, 4"})
  void gradientsEqualTensorFlowsWithoutItsBackpropOps(String mode, int k, int in, int out) {
    withProperty(mode, () -> compareWithTensorFlow(k, mode.equals("filter") && k > 1, in, out));
  }

  /** Unset, the filter op is taken exactly when this process runs oneDNN's kernels. */
  @Test
  void byDefaultTheFilterOpFollowsTheKernels() {
    assertEquals(ActiveKernels.get() == Kernels.ONEDNN, ConvolutionBackward.oneDnnKernelGradient());
    compareWithTensorFlow(3, ActiveKernels.get() == Kernels.ONEDNN, 5, 6);
  }

  @Test
  void anUnknownModeIsNamed() {
    withProperty("fast", () -> {
      OptionException e = assertThrows(OptionException.class, () -> carriers(1, Arithmetic.FP32));
      assertTrue(e.getMessage().contains("-Ddepot.convolutionBackward=fast: expected tensorflow, forward or filter"),
          e.getMessage());
    });
  }

  private static void compareWithTensorFlow(int k, boolean filterOp, int in, int out) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(BATCH, SIZE, SIZE, in)));
      Placeholder<TFloat32> kernel = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(k, k, in, out)));
      Placeholder<TFloat32> bias = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(out)));
      // a loss that weighs every output differently, so that a transposed or shifted gradient shows
      Operand<TFloat32> weights = tf.constant(Shape.of(BATCH, SIZE, SIZE, out),
          org.tensorflow.ndarray.buffer.DataBuffers.of(BackwardPasses.gaussian(BATCH * SIZE * SIZE * out, 3)));
      Operand<TFloat32> nativeLoss = tf.sum(tf.math.mul(convolution(tf, x, kernel, bias), weights),
          tf.constant(new int[] {0, 1, 2, 3}));
      Operand<TFloat32> ours = ConvolutionBackward.attach(tf, convolution(tf, x, kernel, bias), x, kernel, bias);
      Operand<TFloat32> ourLoss = tf.sum(tf.math.mul(ours, weights), tf.constant(new int[] {0, 1, 2, 3}));
      Output<?>[] wrt = {x.asOutput(), kernel.asOutput(), bias.asOutput()};
      Output<?>[] nativeGradients = g.addGradients("native", new Output<?>[] {nativeLoss.asOutput()}, wrt, null);
      Output<?>[] ourGradients = g.addGradients("ours", new Output<?>[] {ourLoss.asOutput()}, wrt, null);

      Set<String> ourBackwardOps = BackwardPasses.opTypes(ourGradients, "ours/");
      Set<String> nativeBackwardOps = BackwardPasses.opTypes(nativeGradients, "native/");
      assertTrue(nativeBackwardOps.contains("Conv2DBackpropFilter"), nativeBackwardOps::toString);
      assertEquals(filterOp, ourBackwardOps.contains("Conv2DBackpropFilter"), ourBackwardOps::toString);
      assertFalse(ourBackwardOps.contains("Conv2DBackpropInput"), ourBackwardOps::toString);
      // dy slides over x (its full transpose the smaller) exactly when there are fewer output channels
      boolean dySlides = g.operation(ConvolutionBackward.MARKER + k + ConvolutionBackward.SLIDING_OUTPUT) != null;
      assertEquals(k > 1 && out < in, dySlides, "the form of dW");

      try (Session s = new Session(g);
          var xv = Tensors.of(BackwardPasses.gaussian(BATCH * SIZE * SIZE * in, 1), BATCH, SIZE, SIZE, in);
          var kv = Tensors.of(BackwardPasses.gaussian(k * k * in * out, 2), k, k, in, out);
          var bv = Tensors.of(BackwardPasses.gaussian(out, 4), out);
          Result r = s.runner().feed(x, xv).feed(kernel, kv).feed(bias, bv)
              .fetch(nativeLoss).fetch(ourLoss)
              .fetch(nativeGradients[0]).fetch(nativeGradients[1]).fetch(nativeGradients[2])
              .fetch(ourGradients[0]).fetch(ourGradients[1]).fetch(ourGradients[2]).run()) {
        assertEquals(((TFloat32) r.get(0)).getFloat(), ((TFloat32) r.get(1)).getFloat(), 1e-3, "forward values");
        String[] names = {"dx", "dW", "db"};
        for (int i = 0; i < 3; i++) {
          float[] expected = Tensors.floats((TFloat32) r.get(2 + i));
          float[] actual = Tensors.floats((TFloat32) r.get(5 + i));
          assertEquals(expected.length, actual.length, names[i]);
          double d = BackwardPasses.relativeDifference(expected, actual);
          // float sums in another order
          assertTrue(d <= 1e-6, names[i] + " differs by " + d + " relative (k = " + k + ")");
        }
      }
    }
  }

  /** Strided and 16-bit convolutions keep TensorFlow's backward pass; stride-1 fp32 ones get ours. */
  @Test
  void layersAttachItOnlyWhereItApplies() {
    assertEquals(List.of(1, 0, 0, 1), List.of(carriers(1, Arithmetic.FP32), carriers(2, Arithmetic.FP32),
        carriers(1, Arithmetic.BF16), carriers(1, Arithmetic.FP32, 1)));
  }

  /** -Ddepot.convolutionBackward=tensorflow keeps TensorFlow's gradient everywhere. */
  @Test
  void thePropertyTurnsItOff() {
    withProperty("tensorflow", () -> assertEquals(0, carriers(1, Arithmetic.FP32)));
  }

  private static void withProperty(String value, Runnable body) {
    BackwardPasses.withProperty(ConvolutionBackward.PROPERTY, value, () -> {
      body.run();
      return null;
    });
  }

  private static int carriers(int stride, Arithmetic arithmetic) {
    return carriers(stride, arithmetic, 3);
  }

  private static int carriers(int stride, Arithmetic arithmetic, int k) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Layers l = new Layers(tf, new VariableStore(tf, "net", 0), arithmetic);
      l.conv("c", tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(1, 8, 8, 4))), 4, 4, k, stride);
      int n = 0;
      for (var it = g.operations(); it.hasNext(); ) {
        if (((GraphOperation) it.next()).type().equals("IdentityN")) {
          n++;
        }
      }
      return n;
    }
  }

  private static Operand<TFloat32> convolution(Ops tf, Operand<TFloat32> x, Operand<TFloat32> kernel,
      Operand<TFloat32> bias) {
    return tf.nn.biasAdd(tf.nn.conv2d(x, kernel, List.of(1L, 1L, 1L, 1L), "SAME"), bias);
  }
}
