package org.diffusiondepot.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.diffusiondepot.config.ConfigLoader;
import org.diffusiondepot.runtime.SessionConfigs;
import org.diffusiondepot.runtime.Tensors;
import org.junit.jupiter.api.Test;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * Training with dynamic loss scaling (fp16): a step whose gradients are not finite (here an injected
 * inf) is skipped (weights, moments and EMA unchanged), halves the scale and is counted, and the
 * step counter moves on; the next clean step trains normally.
 */
class LossScalingTest {
  @Test
  void anInfiniteGradientSkipsTheUpdateAndHalvesTheScale() {
    // fp16 convolutions run on CPUs (slowly); its attention product has no CPU kernel, so no attention here
    TrainingGraph g = new TrainingGraph(ConfigLoader.parse(TrainingLayoutTest.CONFIG
        .replace("attention_resolutions: [4] ", "middle_attention: false ").formatted("precision: FP16"), "fp16"));
    try (Session s = new Session(g.graph, SessionConfigs.cpu())) {
      s.initialize();
      s.run(g.initEma);
      TrainingLayoutTest.step(s, g, 0);
      assertEquals(32768f, scalar(s, g.lossScale.value()));
      Map<String, float[]> before = TrainingLayoutTest.state(s, g);

      float[] poisoned = new float[TrainingLayoutTest.BATCH * 8 * 8 * 3];
      poisoned[5] = Float.POSITIVE_INFINITY;
      try (TFloat32 x = Tensors.of(poisoned, TrainingLayoutTest.BATCH, 8, 8, 3); TFloat32 lr = TFloat32.scalarOf(1e-3f);
          Result r = s.runner().feed(g.x0, x).feed(g.learningRate, lr).addTarget(g.trainStep).fetch(g.loss).run()) {
        assertFalse(Float.isFinite(((TFloat32) r.get(0)).getFloat()));
      }
      Map<String, float[]> after = TrainingLayoutTest.state(s, g);
      for (String name : before.keySet()) {
        assertArrayEquals(before.get(name), after.get(name), name + " untouched by the skipped step");
      }
      assertEquals(16384f, scalar(s, g.lossScale.value()), "the scale halves");
      assertEquals(1, count(s, g.lossScale.skipped()));
      assertEquals(2, count(s, g.stepValue), "a skipped step still counts");

      TrainingLayoutTest.step(s, g, 2);
      assertEquals(3, count(s, g.stepValue));
      assertEquals(16384f, scalar(s, g.lossScale.value()));
      Map<String, float[]> trained = TrainingLayoutTest.state(s, g);
      String weight = before.keySet().iterator().next();
      assertTrue(!java.util.Arrays.equals(before.get(weight), trained.get(weight)), "a clean step updates again");
    } finally {
      g.graph.close();
    }
  }

  private static float scalar(Session s, org.tensorflow.Operand<TFloat32> x) {
    try (Result r = s.runner().fetch(x).run()) {
      return ((TFloat32) r.get(0)).getFloat();
    }
  }

  private static long count(Session s, org.tensorflow.Operand<TInt64> x) {
    try (Result r = s.runner().fetch(x).run()) {
      return ((TInt64) r.get(0)).getLong();
    }
  }
}
