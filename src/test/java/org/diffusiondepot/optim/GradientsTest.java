package org.diffusiondepot.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Random;
import org.diffusiondepot.runtime.Tensors;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** The gradients' global norm and clipping against their definitions, computed on the host in double. */
class GradientsTest {
  @Test
  void globalNormIsTheSquareRootOfAllSquaresAndClippingScalesToTheLimit() {
    Random random = new Random(5);
    float[][] values = {new float[3 * 3 * 4 * 5], new float[5], new float[1]};
    double squares = 0;
    for (float[] v : values) {
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) (random.nextGaussian() * (1 + i % 3));
        squares += v[i] * (double) v[i];
      }
    }
    Shape[] shapes = {Shape.of(3, 3, 4, 5), Shape.of(5), Shape.of()};
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      List<Operand<TFloat32>> gradients = List.of(
          tf.constant(shapes[0], DataBuffers.of(values[0])), tf.constant(shapes[1], DataBuffers.of(values[1])),
          tf.constant(shapes[2], DataBuffers.of(values[2])));
      Operand<TFloat32> norm = Gradients.globalNorm(tf, gradients);
      double expected = Math.sqrt(squares);
      double limit = expected / 4;
      List<Operand<TFloat32>> clipped = Gradients.clip(tf, gradients, norm, limit);
      try (TFloat32 n = (TFloat32) s.runner().fetch(norm).run().get(0);
          TFloat32 c = (TFloat32) s.runner().fetch(clipped.get(0)).run().get(0)) {
        assertEquals(expected, n.getFloat(), 1e-6 * expected);
        float[] scaled = Tensors.floats(c);
        for (int i = 0; i < scaled.length; i++) {
          assertEquals(values[0][i] * limit / expected, scaled[i], 1e-5 * Math.abs(values[0][i]) + 1e-7, "element " + i);
        }
      }
      assertEquals(gradients, Gradients.clip(tf, gradients, norm, 0), "0 leaves them unchanged");
    }
  }
}
