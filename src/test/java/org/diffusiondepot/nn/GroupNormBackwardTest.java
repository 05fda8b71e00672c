package org.diffusiondepot.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
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
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * GroupNorm's written-out backward pass gives the gradients TensorFlow derives from the forward
 * formula (dx, dgamma, dbeta), without the tiles of TensorFlow's mean gradients.
 */
class GroupNormBackwardTest {
  private static final int BATCH = 3;
  private static final int SIZE = 5;

  /**
   * Groups of several channels, one channel (InstanceNorm) and all channels; a group whose values
   * are all equal has variance 0 (to rounding: the clamp at 0 and its gradient mask are exercised).
   */
  @ParameterizedTest
  @CsvSource({"8, 4, false", "6, 6, false", "5, 1, false", "8, 2, true"})
  void gradientsEqualTensorFlowsWithoutItsTiles(int channels, int groups, boolean constantGroup) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> x = tf.placeholder(TFloat32.class,
          Placeholder.shape(Shape.of(BATCH, SIZE, SIZE, channels)));
      Placeholder<TFloat32> gamma = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(channels)));
      Placeholder<TFloat32> beta = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(channels)));
      Map<String, Operand<TFloat32>> sources = Map.of("n/norm/gamma", gamma, "n/norm/beta", beta);
      // the gradient of a loss that weighs every output differently, so that a misplaced one shows
      Operand<TFloat32> weights = tf.constant(Shape.of(BATCH, SIZE, SIZE, channels),
          DataBuffers.of(BackwardPasses.gaussian(BATCH * SIZE * SIZE * channels, 7)));
      Operand<TFloat32> nativeOut = withMode("tensorflow",
          () -> new Layers(tf, new MappedStore(tf, "n", sources)).groupNorm("norm", x, channels, groups));
      Operand<TFloat32> ourOut = withMode("ours",
          () -> new Layers(tf, new MappedStore(tf, "n", sources)).groupNorm("norm", x, channels, groups));
      Output<?>[] wrt = {x.asOutput(), gamma.asOutput(), beta.asOutput()};
      Output<?>[] dy = {weights.asOutput()};
      Output<?>[] nativeGradients = g.addGradients("native", new Output<?>[] {nativeOut.asOutput()}, wrt, dy);
      Output<?>[] ourGradients = g.addGradients("ours", new Output<?>[] {ourOut.asOutput()}, wrt, dy);

      Set<String> ourOps = BackwardPasses.opTypes(ourGradients, "ours/");
      Set<String> nativeOps = BackwardPasses.opTypes(nativeGradients, "native/");
      assertTrue(nativeOps.contains("Tile"), nativeOps::toString);
      assertFalse(ourOps.contains("Tile"), ourOps::toString);

      float[] input = BackwardPasses.gaussian(BATCH * SIZE * SIZE * channels, 1);
      for (int i = 0; i < input.length; i++) {
        int channel = i % channels;
        // each channel its own mean and spread, so that the mean and variance paths both matter
        input[i] = constantGroup && channel < channels / groups ? 0.75f : 2f + channel + (1 + channel) * input[i];
      }
      try (Session s = new Session(g);
          var xv = Tensors.of(input, BATCH, SIZE, SIZE, channels);
          var gv = Tensors.of(BackwardPasses.gaussian(channels, 2), channels);
          var bv = Tensors.of(BackwardPasses.gaussian(channels, 3), channels);
          Result r = s.runner().feed(x, xv).feed(gamma, gv).feed(beta, bv)
              .fetch(nativeOut).fetch(ourOut)
              .fetch(nativeGradients[0]).fetch(nativeGradients[1]).fetch(nativeGradients[2])
              .fetch(ourGradients[0]).fetch(ourGradients[1]).fetch(ourGradients[2]).run()) {
        assertEquals(0.0, BackwardPasses.relativeDifference(Tensors.floats((TFloat32) r.get(0)),
            Tensors.floats((TFloat32) r.get(1))), "the forward values are the same ops");
        String[] names = {"dx", "dgamma", "dbeta"};
        for (int i = 0; i < 3; i++) {
          float[] expected = Tensors.floats((TFloat32) r.get(2 + i));
          float[] actual = Tensors.floats((TFloat32) r.get(5 + i));
          assertEquals(expected.length, actual.length, names[i]);
          double d = BackwardPasses.relativeDifference(expected, actual);
          // float sums in another order; dx is a difference of terms of similar size
          assertTrue(d <= 2e-5, names[i] + " differs by " + d + " relative");
        }
      }
    }
  }

  @Test
  void thePropertyTurnsItOffAndAnUnknownValueIsNamed() {
    assertEquals(1, carriers("ours"));
    assertEquals(0, carriers("tensorflow"));
    OptionException e = assertThrows(OptionException.class, () -> carriers("fast"));
    assertTrue(e.getMessage().contains("-Ddepot.groupNormBackward=fast: expected ours or tensorflow"), e.getMessage());
  }

  private static int carriers(String mode) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Layers l = new Layers(tf, new VariableStore(tf, "net", 0));
      withMode(mode, () -> l.groupNorm("n", tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(1, 4, 4, 8))),
          8, 2));
      int n = 0;
      for (var it = g.operations(); it.hasNext(); ) {
        GraphOperation op = (GraphOperation) it.next();
        if (op.type().equals("IdentityN") && op.name().contains(GroupNormBackward.MARKER)) {
          n++;
        }
      }
      return n;
    }
  }

  private static <T> T withMode(String value, Supplier<T> body) {
    return BackwardPasses.withProperty(GroupNormBackward.PROPERTY, value, body);
  }
}
