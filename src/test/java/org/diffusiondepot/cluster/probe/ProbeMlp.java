package org.diffusiondepot.cluster.probe;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * A two-layer perceptron {@code y = relu(x W1 + b1) W2 + b2} with a mean squared error, built from
 * raw ops so that the same model can be one graph, one tower per device, or one graph per worker.
 * Weights start from a seeded Random and every step's batch is a function of (step, row), so any
 * split of a global batch over workers sees exactly the same rows.
 */
final class ProbeMlp {
  final int in;
  final int hidden;
  final int out;

  ProbeMlp(int in, int hidden, int out) {
    this.in = in;
    this.hidden = hidden;
    this.out = out;
  }

  long parameterCount() {
    return (long) in * hidden + hidden + (long) hidden * out + out;
  }

  Shape[] shapes() {
    return new Shape[] {Shape.of(in, hidden), Shape.of(hidden), Shape.of(hidden, out), Shape.of(out)};
  }

  static final String[] NAMES = {"w1", "b1", "w2", "b2"};

  /** The model's weights, uninitialised; {@link #initOps} assigns the seeded start values. */
  List<Variable<TFloat32>> variables(Ops tf) {
    List<Variable<TFloat32>> vars = new ArrayList<>();
    Shape[] shapes = shapes();
    for (int i = 0; i < NAMES.length; i++) {
      vars.add(tf.withName(NAMES[i]).variable(shapes[i], TFloat32.class));
    }
    return vars;
  }

  List<Operand<?>> initOps(Ops tf, List<Variable<TFloat32>> vars) {
    Random r = new Random(42);
    List<Operand<?>> inits = new ArrayList<>();
    Shape[] shapes = shapes();
    for (int i = 0; i < vars.size(); i++) {
      float[] values = new float[(int) shapes[i].size()];
      double scale = shapes[i].numDimensions() == 2 ? Math.sqrt(2.0 / shapes[i].get(0)) : 0.1;
      for (int j = 0; j < values.length; j++) {
        values[j] = (float) (r.nextGaussian() * scale);
      }
      inits.add(tf.assign(vars.get(i), tf.constant(shapes[i], DataBuffers.of(values))));
    }
    return inits;
  }

  /** Mean squared error over one tower's batch, reading the weights through {@code reads}. */
  Operand<TFloat32> loss(Ops tf, Operand<TFloat32> x, Operand<TFloat32> y, List<Operand<TFloat32>> reads) {
    Operand<TFloat32> h = tf.nn.relu(tf.math.add(tf.linalg.matMul(x, reads.get(0)), reads.get(1)));
    Operand<TFloat32> prediction = tf.math.add(tf.linalg.matMul(h, reads.get(2)), reads.get(3));
    return tf.math.mean(tf.math.squaredDifference(prediction, y), tf.constant(new int[] {0, 1}));
  }

  /** Gradients of {@code loss} with respect to {@code reads}, named under {@code prefix}. */
  static List<Operand<TFloat32>> gradients(Graph g, String prefix, Operand<TFloat32> loss,
      List<Operand<TFloat32>> reads) {
    Output<?>[] xs = reads.stream().map(Operand::asOutput).toArray(Output<?>[]::new);
    Output<?>[] grads = g.addGradients(prefix, new Output<?>[] {loss.asOutput()}, xs, null);
    List<Operand<TFloat32>> out = new ArrayList<>();
    for (Output<?> grad : grads) {
      @SuppressWarnings("unchecked")
      Operand<TFloat32> typed = (Operand<TFloat32>) grad;
      out.add(typed);
    }
    return out;
  }

  Placeholder<TFloat32> inputs(Ops tf, String name, int rows) {
    return tf.withName(name).placeholder(TFloat32.class, Placeholder.shape(Shape.of(rows, in)));
  }

  Placeholder<TFloat32> targets(Ops tf, String name, int rows) {
    return tf.withName(name).placeholder(TFloat32.class, Placeholder.shape(Shape.of(rows, out)));
  }

  /** Rows {@code [first, first + rows)} of step {@code step}'s global batch: inputs. */
  float[] x(int step, int first, int rows) {
    float[] v = new float[rows * in];
    for (int r = 0; r < rows; r++) {
      Random random = new Random(1_000_003L * step + first + r);
      for (int j = 0; j < in; j++) {
        v[r * in + j] = (float) random.nextGaussian();
      }
    }
    return v;
  }

  /** Targets of the same rows: a fixed smooth function of the inputs. */
  float[] y(int step, int first, int rows) {
    float[] x = x(step, first, rows);
    float[] c = coefficients();
    float[] v = new float[rows * out];
    for (int r = 0; r < rows; r++) {
      for (int k = 0; k < out; k++) {
        double s = 0;
        for (int j = 0; j < in; j++) {
          s += x[r * in + j] * c[j * out + k];
        }
        v[r * out + k] = (float) Math.tanh(s / Math.sqrt(in));
      }
    }
    return v;
  }

  private float[] coefficients;

  private float[] coefficients() {
    if (coefficients == null) {
      coefficients = new float[in * out];
      for (int j = 0; j < in; j++) {
        for (int k = 0; k < out; k++) {
          coefficients[j * out + k] = (float) Math.sin(1 + j * 0.7 + k * 1.3);
        }
      }
    }
    return coefficients;
  }
}
