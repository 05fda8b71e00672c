package org.diffusiondepot.train;

import static org.junit.jupiter.api.Assertions.*;

import org.diffusiondepot.config.ConfigLoader;
import org.diffusiondepot.proto.ExperimentConfig;
import org.junit.jupiter.api.Test;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

class TrainingGraphSmokeTest {
  static final String CONFIG = """
      name: "smoke" task: UNCONDITIONAL
      model { base_channels: 8 channel_mults: [1, 2] attention_resolutions: [4] block: RESNET_3X3 group_norm_groups: 4 }
      diffusion { beta_schedule: LINEAR variance: SAME }
      data { resolution: 8 }
      train { batch_size: 2 iterations: 10 learning_rate: 1e-3 weight_decay: 0.01 grad_clip_norm: 1.0 ema_decay: 0.9 }
      """;

  @Test
  void runsSteps() {
    ExperimentConfig c = ConfigLoader.parse(CONFIG, "smoke");
    TrainingGraph g = new TrainingGraph(c);
    try (Session s = new Session(g.graph)) {
      s.initialize();
      s.run(g.initEma);
      float[] data = new float[2 * 8 * 8 * 3];
      java.util.Random rnd = new java.util.Random(3);
      for (int i = 0; i < data.length; i++) data[i] = rnd.nextFloat() * 2 - 1;
      try (TFloat32 x = org.diffusiondepot.runtime.Tensors.of(data, 2, 8, 8, 3)) {
        for (int i = 0; i < 3; i++) {
          try (Result r = s.runner().feed(g.x0, x).feed(g.learningRate, TFloat32.scalarOf(1e-3f))
              .addTarget(g.trainStep).fetch(g.loss).fetch(g.gradientNorm).run()) {
            float loss = ((TFloat32) r.get(0)).getFloat();
            float norm = ((TFloat32) r.get(1)).getFloat();
            System.out.println("loss " + loss + " norm " + norm);
            assertTrue(Float.isFinite(loss) && loss > 0);
            assertTrue(norm > 0);
          }
        }
      }
      try (Result r = s.runner().fetch(g.stepValue).run()) {
        assertEquals(3L, ((TInt64) r.get(0)).getLong());
      }
    }
    g.graph.close();
  }
}
