package org.diffusiondepot.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.diffusiondepot.proto.BlockType;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Parameter counts against the PyTorch reference model of ../shared/bench/ddpm_ref.py (same layout,
 * counted there with sum(p.numel())): an independent check of every layer's shape.
 */
class UNetParameterCountTest {

  static long count(UNetSpec spec) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      CountingStore store = new CountingStore(tf);
      Operand<TFloat32> x = tf.placeholder(TFloat32.class,
          Placeholder.shape(Shape.of(-1, spec.imageSize(), spec.imageSize(), spec.inChannels())));
      Operand<TInt32> t = tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
      Operand<TFloat32> y = new UNet(spec).apply(tf, store, x, t, null);
      org.junit.jupiter.api.Assertions.assertArrayEquals(new long[] {-1, spec.imageSize(), spec.imageSize(), spec.outChannels()}, y.shape().asArray());
      return store.parameterCount();
    }
  }

  static UNetSpec spec(int size, int base, List<Integer> mults, List<Integer> attn, BlockType block) {
    return new UNetSpec(size, 3, 3, base, mults, 2, attn, true, block, 0f, 32, 0);
  }

  @Test
  void tinyResnetMatchesReference() {
    assertEquals(1_624_323L, count(spec(32, 32, List.of(1, 2, 2), List.of(8), BlockType.RESNET_3X3)));
  }

  @Test
  void hoCifar10ModelMatchesReference() {
    // ch=128, mults (1,2,2,2), attention at 16 on 32x32: Ho et al.'s 35.7M CIFAR-10 model.
    assertEquals(35_746_307L, count(spec(32, 128, List.of(1, 2, 2, 2), List.of(16), BlockType.RESNET_3X3)));
  }

  @Test
  void lhqLikeResnetMatchesReference() {
    assertEquals(37_591_847L, count(spec(128, 46, List.of(1, 2, 4, 4, 8), List.of(16, 8), BlockType.RESNET_3X3)));
  }

  @Test
  void lhqLikeConvNextMatchesReference() {
    assertEquals(36_736_153L, count(spec(128, 34, List.of(1, 2, 4, 4, 8), List.of(16, 8), BlockType.CONVNEXT_7X7)));
  }
}
