package org.diffusiondepot.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.diffusiondepot.proto.BlockType;
import org.diffusiondepot.runtime.Tensors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** Both block types build a UNet of the right output shape whose every weight gets a gradient. */
class UNetGradientTest {
  @ParameterizedTest
  @EnumSource(value = BlockType.class, names = {"RESNET_3X3", "CONVNEXT_7X7"})
  void outputShapeAndFiniteNonZeroGradients(BlockType block) {
    int size = 16;
    UNetSpec spec = new UNetSpec(size, 5, 3, 8, List.of(1, 2), 1, List.of(8), true, block, 0f, 4, 3);
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      VariableStore store = new VariableStore(tf, "unet", 7);
      Placeholder<TFloat32> x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, size, size, 5)));
      Placeholder<TInt32> t = tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
      Placeholder<TInt32> label = tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
      Operand<TFloat32> y = new UNet(spec).apply(tf, store, x, t, label);
      assertArrayEquals(new long[] {-1, size, size, 3}, y.shape().asArray());
      Operand<TFloat32> loss = tf.math.mean(tf.math.square(tf.math.sub(y, tf.constant(0.3f))),
          tf.constant(new int[] {0, 1, 2, 3}));
      List<Variable<TFloat32>> vars = new ArrayList<>(store.variables().values());
      Output<?>[] grads = g.addGradients(loss.asOutput(), vars.stream().map(Variable::asOutput).toArray(Output[]::new));
      float[] input = new float[2 * size * size * 5];
      Random r = new Random(1);
      for (int i = 0; i < input.length; i++) {
        input[i] = (float) r.nextGaussian();
      }
      try (Session s = new Session(g)) {
        s.initialize();
        try (TFloat32 xt = Tensors.of(input, 2, size, size, 5); TInt32 tt = Tensors.of(new int[] {3, 700}, 2);
            TInt32 lt = Tensors.of(new int[] {0, 3}, 2)) {
          var runner = s.runner().feed(x, xt).feed(t, tt).feed(label, lt).fetch(y);
          for (Output<?> gr : grads) {
            runner.fetch(gr);
          }
          try (Result res = runner.run()) {
            float[] out = Tensors.floats((TFloat32) res.get(0));
            assertEquals(2 * size * size * 3, out.length);
            for (float v : out) {
              assertTrue(Float.isFinite(v));
            }
            List<String> names = new ArrayList<>(store.variables().keySet());
            for (int i = 0; i < grads.length; i++) {
              float[] gv = Tensors.floats((TFloat32) res.get(i + 1));
              double norm = 0;
              for (float v : gv) {
                assertTrue(Float.isFinite(v), names.get(i));
                norm += v * v;
              }
              // class_embedding rows of unused labels get no gradient, the table as a whole does
              assertTrue(norm > 0, "zero gradient for " + names.get(i));
            }
          }
        }
      }
    }
  }

  private static void assertEquals(int expected, int actual) {
    org.junit.jupiter.api.Assertions.assertEquals(expected, actual);
  }
}
