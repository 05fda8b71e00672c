package org.diffusiondepot.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.diffusiondepot.runtime.Tensors;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/** shadow_n = d_n shadow_{n-1} + (1 - d_n) w_n with d_n = min(decay, (1 + n) / (10 + n)). */
class EmaTest {
  @Test
  void followsTheFormulaWithWarmup() {
    double decay = 0.9;
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Variable<TFloat32> w = tf.withName("w").variable(tf.constant(new float[] {2f, -1f}));
      Placeholder<TFloat32> value = tf.placeholder(TFloat32.class);
      Placeholder<TInt64> completed = tf.placeholder(TInt64.class);
      Map<String, Variable<TFloat32>> weights = new LinkedHashMap<>();
      weights.put("w", w);
      Ema ema = new Ema(tf, weights);
      Op setWeight = tf.assign(w, value);
      // the weight's update and its average in one run, as in a training step: the average must
      // read the updated weight
      List<Op> update = ema.update(tf.withControlDependencies(List.of(setWeight)), weights,
          Ema.decay(tf, completed, decay, true));
      Op init = tf.withControlDependencies(ema.copyFromWeights()).noOp();
      double[] shadow = {2, -1};
      try (Session s = new Session(g)) {
        s.initialize();
        s.run(init);
        float[][] values = {{3f, 0f}, {1f, 1f}, {5f, -2f}, {4f, 4f}, {0f, 1f}};
        for (int n = 0; n < values.length; n++) {
          try (TFloat32 v = Tensors.of(values[n], 2); TInt64 c = TInt64.scalarOf(n)) {
            var runner = s.runner().feed(value, v).feed(completed, c);
            update.forEach(runner::addTarget);
            runner.run();
          }
          double d = Math.min(decay, (1.0 + n) / (10.0 + n));
          for (int i = 0; i < 2; i++) {
            shadow[i] = d * shadow[i] + (1 - d) * values[n][i];
          }
          try (Result r = s.runner().fetch(ema.shadows().get("w")).run()) {
            float[] got = Tensors.floats((TFloat32) r.get(0));
            assertEquals(shadow[0], got[0], 1e-5, "after update " + n);
            assertEquals(shadow[1], got[1], 1e-5, "after update " + n);
          }
        }
      }
    }
  }

  @Test
  void withoutWarmupTheDecayIsConstant() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Placeholder<TInt64> completed = tf.placeholder(TInt64.class);
      var d = Ema.decay(tf, completed, 0.9999, false);
      var warm = Ema.decay(tf, completed, 0.9999, true);
      try (Session s = new Session(g); TInt64 c = TInt64.scalarOf(3500)) {
        try (Result r = s.runner().feed(completed, c).fetch(d).fetch(warm).run()) {
          assertEquals(0.9999f, ((TFloat32) r.get(0)).getFloat(), 0f);
          assertEquals(3501.0 / 3510.0, ((TFloat32) r.get(1)).getFloat(), 1e-6);
        }
      }
    }
  }
}
