package org.diffusiondepot.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/** The scale's rule: halve on every overflow, double after 2000 clean steps in a row, count the skips. */
class LossScaleTest {
  @Test
  void halvesOnOverflowAndDoublesAfterTheGrowthInterval() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      LossScale scale = new LossScale(tf, LossScale.INITIAL);
      Placeholder<TBool> finite = tf.placeholder(TBool.class, Placeholder.shape(Shape.scalar()));
      Op update = scale.update(tf, finite, LossScale.GROWTH_INTERVAL);
      try (Session s = new Session(g)) {
        s.initialize();
        assertEquals(32768f, value(s, scale));
        run(s, update, finite, false);
        assertEquals(16384f, value(s, scale), "an overflow halves the scale");
        assertEquals(1, skipped(s, scale));
        for (int i = 0; i < LossScale.GROWTH_INTERVAL - 1; i++) {
          run(s, update, finite, true);
        }
        assertEquals(16384f, value(s, scale), "1999 clean steps: not yet");
        run(s, update, finite, true);
        assertEquals(32768f, value(s, scale), "the 2000th clean step doubles it");
        for (int i = 0; i < 1000; i++) {
          run(s, update, finite, true);
        }
        run(s, update, finite, false);
        for (int i = 0; i < LossScale.GROWTH_INTERVAL - 1; i++) {
          run(s, update, finite, true);
        }
        assertEquals(16384f, value(s, scale), "an overflow restarts the count of clean steps");
        assertEquals(2, skipped(s, scale));
      }
    }
  }

  private static void run(Session s, Op update, Placeholder<TBool> finite, boolean value) {
    try (TBool f = TBool.scalarOf(value)) {
      s.runner().feed(finite, f).addTarget(update).run();
    }
  }

  private static float value(Session s, LossScale scale) {
    try (Result r = s.runner().fetch(scale.value()).run()) {
      return ((TFloat32) r.get(0)).getFloat();
    }
  }

  private static long skipped(Session s, LossScale scale) {
    try (Result r = s.runner().fetch(scale.skipped()).run()) {
      return ((TInt64) r.get(0)).getLong();
    }
  }
}
