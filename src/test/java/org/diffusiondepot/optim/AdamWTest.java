package org.diffusiondepot.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.diffusiondepot.runtime.Tensors;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/** Two AdamW steps of the graph optimizer against the update written out by hand. */
class AdamWTest {
  @Test
  void matchesHandComputedDecoupledAdam() {
    double lr = 0.01;
    double b1 = 0.9;
    double b2 = 0.999;
    double eps = 1e-8;
    double wd = 0.1;
    double[] w = {1.0, -2.0, 0.5};
    double[][] grads = {{0.3, -0.1, 2.0}, {-0.2, 0.05, 1.0}};
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Variable<TFloat32> var = tf.withName("w").variable(tf.constant(new float[] {1f, -2f, 0.5f}));
      Placeholder<TFloat32> grad = tf.placeholder(TFloat32.class);
      Placeholder<TInt64> step = tf.placeholder(TInt64.class);
      Map<String, Variable<TFloat32>> vars = new LinkedHashMap<>();
      vars.put("w", var);
      Map<String, Operand<TFloat32>> reads = Map.of("w", tf.identity(var));
      Map<String, Op> updates = AdamW.build(tf, vars, List.of(tf.identity(grad)), reads,
          tf.constant((float) lr), step, new AdamW.Hyper(b1, b2, eps, wd));
      double[] m = new double[3];
      double[] v = new double[3];
      try (Session s = new Session(g)) {
        s.initialize();
        for (int n = 1; n <= 2; n++) {
          float[] gf = {(float) grads[n - 1][0], (float) grads[n - 1][1], (float) grads[n - 1][2]};
          try (TFloat32 gt = Tensors.of(gf, 3); TInt64 st = TInt64.scalarOf(n - 1)) {
            s.runner().feed(grad, gt).feed(step, st).addTarget(updates.get("w")).run();
          }
          for (int i = 0; i < 3; i++) {
            double gi = gf[i];
            w[i] -= lr * wd * w[i];
            m[i] = b1 * m[i] + (1 - b1) * gi;
            v[i] = b2 * v[i] + (1 - b2) * gi * gi;
            double rate = lr * Math.sqrt(1 - Math.pow(b2, n)) / (1 - Math.pow(b1, n));
            w[i] -= rate * m[i] / (Math.sqrt(v[i]) + eps);
          }
          try (Result r = s.runner().fetch(var).run()) {
            float[] got = Tensors.floats((TFloat32) r.get(0));
            for (int i = 0; i < 3; i++) {
              assertEquals(w[i], got[i], 2e-6, "w[" + i + "] after step " + n);
            }
          }
        }
      }
    }
  }
}
