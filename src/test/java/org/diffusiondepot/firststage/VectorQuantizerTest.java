package org.diffusiondepot.firststage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.diffusiondepot.nn.ParameterStore;
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
import org.tensorflow.types.TInt32;

/** The quantiser against hand computation on a 4-code, 2-dimensional codebook. */
class VectorQuantizerTest {
  /** Codes: origin, +x, +y, (-1, -1). */
  static final float[] CODEBOOK = {0, 0, 1, 0, 0, 1, -1, -1};
  /** Four latent vectors (a 2x2 map) whose nearest codes are 1, 0, 3, 2. */
  static final float[] Z = {0.9f, 0.1f, 0.1f, 0.2f, -0.6f, -0.7f, 0.2f, 0.8f};
  static final int[] NEAREST = {1, 0, 3, 2};
  static final float BETA = 0.25f;

  /** A graph with z and the codebook as placeholders, so gradients can be taken w.r.t. both. */
  private static final class Fixture implements AutoCloseable {
    final Graph graph = new Graph();
    final Ops tf = Ops.create(graph);
    final Placeholder<TFloat32> z = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(1, 2, 2, 2)));
    final Placeholder<TFloat32> codebook = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(4, 2)));
    final ParameterStore store = (name, shape, init) -> codebook;
    final VectorQuantizer.Quantized q = new VectorQuantizer(4, 2, BETA).apply(tf, store, z);

    float[][] run(float[] zValues, Operand<?>... fetches) {
      try (Session s = new Session(graph);
          TFloat32 zt = Tensors.of(zValues, 1, 2, 2, 2);
          TFloat32 ct = Tensors.of(CODEBOOK, 4, 2)) {
        Session.Runner runner = s.runner().feed(z, zt).feed(codebook, ct);
        for (Operand<?> f : fetches) {
          runner.fetch(f);
        }
        try (Result r = runner.run()) {
          float[][] out = new float[fetches.length][];
          for (int i = 0; i < fetches.length; i++) {
            if (r.get(i) instanceof TInt32 ints) {
              int[] v = new int[(int) ints.size()];
              ints.copyTo(DataBuffers.of(v, false, false));
              out[i] = new float[v.length];
              for (int j = 0; j < v.length; j++) {
                out[i][j] = v[j];
              }
            } else {
              out[i] = Tensors.floats((TFloat32) r.get(i));
            }
          }
          return out;
        }
      }
    }

    Operand<TFloat32> gradient(Operand<TFloat32> y, Operand<TFloat32> x) {
      Output<?>[] g = graph.addGradients(y.asOutput(), new Output<?>[] {x.asOutput()});
      return g[0].expect(TFloat32.class);
    }

    @Override
    public void close() {
      graph.close();
    }
  }

  @Test
  void picksTheNearestCodeAndOutputsIt() {
    try (Fixture f = new Fixture()) {
      float[][] r = f.run(Z, f.q.indices(), f.q.codes(), f.q.zq());
      float[] expectedCodes = new float[8];
      for (int i = 0; i < 4; i++) {
        assertEquals(NEAREST[i], (int) r[0][i], "index of vector " + i);
        expectedCodes[2 * i] = CODEBOOK[2 * NEAREST[i]];
        expectedCodes[2 * i + 1] = CODEBOOK[2 * NEAREST[i] + 1];
      }
      assertArrayEquals(expectedCodes, r[1], 0f);
      assertArrayEquals(expectedCodes, r[2], 1e-6f, "z_q equals the code in the forward pass");
    }
  }

  @Test
  void straightThroughGradientIsTheIdentity() {
    try (Fixture f = new Fixture()) {
      float[] w = {0.3f, -1.2f, 2f, 0.5f, -0.7f, 1.1f, 0.25f, -2.5f};
      Operand<TFloat32> objective = f.tf.sum(f.tf.math.mul(f.tf.constant(Shape.of(1, 2, 2, 2),
          DataBuffers.of(w, true, false)), f.q.zq()), f.tf.constant(new int[] {0, 1, 2, 3}));
      float[][] r = f.run(Z, f.gradient(objective, f.z));
      assertArrayEquals(w, r[0], 1e-6f, "d sum(w z_q) / d z = w");
    }
  }

  @Test
  void lossesAndTheirGradientsMatchHandComputation() {
    try (Fixture f = new Fixture()) {
      Operand<TFloat32> total = f.tf.math.add(f.q.codebookLoss(), f.q.commitmentLoss());
      float[][] r = f.run(Z, f.q.codebookLoss(), f.q.commitmentLoss(), f.gradient(total, f.codebook),
          f.gradient(total, f.z));
      double sumSquares = 0;
      float[] codebookGradient = new float[8];
      float[] zGradient = new float[8];
      for (int i = 0; i < 4; i++) {
        for (int d = 0; d < 2; d++) {
          float diff = Z[2 * i + d] - CODEBOOK[2 * NEAREST[i] + d];
          sumSquares += diff * diff;
          // codebook loss mean((sg(z) - e)^2) over 8 elements moves only the codes
          codebookGradient[2 * NEAREST[i] + d] += -2 * diff / 8;
          // commitment loss beta mean((z - sg(e))^2) moves only the encoder output
          zGradient[2 * i + d] = BETA * 2 * diff / 8;
        }
      }
      assertEquals(sumSquares / 8, r[0][0], 1e-6, "codebook loss");
      assertEquals(BETA * sumSquares / 8, r[1][0], 1e-6, "commitment loss carries beta");
      assertArrayEquals(codebookGradient, r[2], 1e-6f, "gradient w.r.t. the codebook");
      assertArrayEquals(zGradient, r[3], 1e-6f, "gradient w.r.t. z");
    }
  }

  @Test
  void perplexityAndUsageOfTheCodeHistogram() {
    try (Fixture f = new Fixture()) {
      float[][] all = f.run(Z, f.q.perplexity(), f.q.usage());
      assertEquals(4.0, all[0][0], 1e-4, "four codes used once each");
      assertEquals(1.0, all[1][0], 1e-6);
      // codes 1, 1, 3, 2: p = (0, 1/2, 1/4, 1/4), entropy 1.5 ln 2, perplexity 2^1.5
      float[] skewed = {0.9f, 0.1f, 0.8f, -0.1f, -0.6f, -0.7f, 0.2f, 0.8f};
      float[][] r = f.run(skewed, f.q.perplexity(), f.q.usage());
      assertEquals(Math.pow(2, 1.5), r[0][0], 1e-4);
      assertEquals(0.75, r[1][0], 1e-6);
    }
  }
}
