package org.diffusiondepot.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.diffusiondepot.proto.BlockType;
import org.diffusiondepot.runtime.Tensors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * A UNet computing its products in bf16 reads the same fp32 weights as the fp32 one and predicts
 * the same, to bf16 rounding: it differs (the products really are bf16) by a few per cent at most.
 */
class ArithmeticTest {
  @ParameterizedTest
  @EnumSource(value = BlockType.class, names = {"RESNET_3X3", "CONVNEXT_7X7"})
  void aBf16UNetPredictsWhatTheFp32OneDoesToBf16Rounding(BlockType block) {
    int size = 16;
    UNetSpec spec = new UNetSpec(size, 3, 3, 16, List.of(1, 2), 1, List.of(8), true, block, 0f, 4, 0);
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      VariableStore store = new VariableStore(tf, "unet", 7);
      Placeholder<TFloat32> x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, size, size, 3)));
      Placeholder<TInt32> t = tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
      Operand<TFloat32> full = new UNet(spec).apply(tf, store, x, t, null);
      Operand<TFloat32> half = new UNet(spec, Arithmetic.BF16).apply(tf, new MappedStore(tf, "unet", store.reads()),
          x, t, null);
      float[] input = new float[2 * size * size * 3];
      Random r = new Random(1);
      for (int i = 0; i < input.length; i++) {
        input[i] = (float) r.nextGaussian();
      }
      try (Session s = new Session(g)) {
        s.initialize();
        try (TFloat32 xt = Tensors.of(input, 2, size, size, 3); TInt32 tt = Tensors.of(new int[] {3, 700}, 2);
            Result res = s.runner().feed(x, xt).feed(t, tt).fetch(full).fetch(half).run()) {
          float[] a = Tensors.floats((TFloat32) res.get(0));
          float[] b = Tensors.floats((TFloat32) res.get(1));
          double diff = 0;
          double norm = 0;
          for (int i = 0; i < a.length; i++) {
            diff += (a[i] - b[i]) * (double) (a[i] - b[i]);
            norm += a[i] * (double) a[i];
          }
          double relative = Math.sqrt(diff / norm);
          // 8 mantissa bits: 2^-9 relative rounding per product input, a few such layers deep
          assertTrue(relative < 0.03, block + ": bf16 against fp32, relative L2 difference " + relative);
          assertTrue(relative > 1e-4, block + ": bf16 computing exactly as fp32 is not bf16: " + relative);
        }
      }
    }
  }
}
