package org.diffusiondepot.firststage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Random;
import org.diffusiondepot.runtime.Tensors;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/** Esser et al. eq. 7 on a toy graph whose gradients are known in closed form. */
class AdaptiveWeightTest {
  @Test
  void ratioOfGradientNormsTimesTheWeight() {
    // L_rec = sum(a * w), L_gan = sum(b * w): the gradients w.r.t. w are a and b.
    float[] a = {3, 0, -4, 0};
    float[] b = {0.5f, 0.5f, -0.5f, 0.5f};
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> w = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(2, 2)));
      Operand<TFloat32> rec = tf.sum(tf.math.mul(constant(tf, a), w), tf.constant(new int[] {0, 1}));
      Operand<TFloat32> gan = tf.sum(tf.math.mul(constant(tf, b), w), tf.constant(new int[] {0, 1}));
      Output<?> recGradient = g.addGradients(rec.asOutput(), new Output<?>[] {w.asOutput()})[0];
      Output<?> ganGradient = g.addGradients(gan.asOutput(), new Output<?>[] {w.asOutput()})[0];
      Operand<TFloat32> lambda = AdaptiveWeight.of(tf, recGradient.expect(TFloat32.class),
          ganGradient.expect(TFloat32.class), 0.8);
      Operand<TFloat32> clipped = AdaptiveWeight.of(tf, recGradient.expect(TFloat32.class),
          tf.math.mul(ganGradient.expect(TFloat32.class), tf.constant(0f)), 1.0);
      try (Session s = new Session(g); TFloat32 wv = Tensors.of(new float[] {1, 2, 3, 4}, 2, 2);
          Result r = s.runner().feed(w, wv).fetch(lambda).fetch(clipped).run()) {
        // ||a|| = 5, ||b|| = 1
        assertEquals(5.0 / (1.0 + 1e-4) * 0.8, ((TFloat32) r.get(0)).getFloat(), 1e-5);
        assertEquals(1e4, ((TFloat32) r.get(1)).getFloat(), 1e-2, "5 / 1e-4 is clipped to 1e4");
      }
    }
  }

  @Test
  void kernelGradientMatchesBackpropThroughTheConv() {
    Random random = new Random(7);
    float[] input = new float[2 * 5 * 5 * 3];
    float[] kernel = new float[3 * 3 * 3 * 2];
    float[] upstream = new float[2 * 5 * 5 * 2];
    for (float[] array : List.of(input, kernel, upstream)) {
      for (int i = 0; i < array.length; i++) {
        array[i] = (float) random.nextGaussian();
      }
    }
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(2, 5, 5, 3)));
      Placeholder<TFloat32> k = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(3, 3, 3, 2)));
      Operand<TFloat32> y = tf.nn.conv2d(x, k, List.of(1L, 1L, 1L, 1L), "SAME");
      Operand<TFloat32> objective = tf.sum(tf.math.mul(y, tf.constant(Shape.of(2, 5, 5, 2),
          DataBuffers.of(upstream, true, false))), tf.constant(new int[] {0, 1, 2, 3}));
      Output<?> viaBackprop = g.addGradients(objective.asOutput(), new Output<?>[] {k.asOutput()})[0];
      Operand<TFloat32> written = AdaptiveWeight.kernelGradient(tf, x, Shape.of(3, 3, 3, 2),
          tf.constant(Shape.of(2, 5, 5, 2), DataBuffers.of(upstream, true, false)));
      try (Session s = new Session(g); TFloat32 xv = Tensors.of(input, 2, 5, 5, 3);
          TFloat32 kv = Tensors.of(kernel, 3, 3, 3, 2);
          Result r = s.runner().feed(x, xv).feed(k, kv).fetch(viaBackprop).fetch(written).run()) {
        assertArrayEquals(Tensors.floats((TFloat32) r.get(0)), Tensors.floats((TFloat32) r.get(1)), 1e-4f);
      }
    }
  }

  private static Operand<TFloat32> constant(Ops tf, float[] values) {
    return tf.constant(Shape.of(2, 2), DataBuffers.of(values, true, false));
  }
}
