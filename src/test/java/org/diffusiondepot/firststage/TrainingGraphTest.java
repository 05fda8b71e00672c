package org.diffusiondepot.firststage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.diffusiondepot.data.Batch;
import org.diffusiondepot.data.BatchLoader;
import org.diffusiondepot.data.BuiltinShapes;
import org.diffusiondepot.runtime.Tensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * Optimizer steps of the whole VQGAN graph, GAN and perceptual loss switched on, on built-in
 * shapes at 32x32. (Steps before discriminator_start are covered by FirstStageRunTest.)
 */
class TrainingGraphTest {
  @Test
  void stepsDecreaseTheReconstructionLoss(@TempDir Path dir) throws Exception {
    Path features = FeatureNetworks.export(dir.resolve("features"));
    String text = TestConfigs.text(32, "[1, 1, 2, 2]", 8,
        "discriminator_weight: 0.8 discriminator_channels: 8 discriminator_layers: 2 perceptual_model: \""
            + features + "\" perceptual_weight: 0.1",
        "batch_size: 8 iterations: 100 learning_rate: 2e-3 grad_clip_norm: 1.0");
    Batch batch = BatchLoader.load(new BuiltinShapes(32, 3, 8, 5), new int[] {0, 1, 2, 3, 4, 5, 6, 7}, 0, 8);
    List<Float> losses = new ArrayList<>();
    try (PerceptualNetwork perceptual = FirstStageTraining.openPerceptual(TestConfigs.parse(text).getFirstStage())) {
      assertEquals(0.1, perceptual.weight(), 1e-12);
      FirstStageTrainingGraph graph = new FirstStageTrainingGraph(TestConfigs.parse(text), perceptual);
      try (Session s = new Session(graph.graph); TFloat32 x = Tensors.of(batch.images(), 8, 32, 32, 3);
          TFloat32 lr = TFloat32.scalarOf(2e-3f); TBool active = TBool.scalarOf(true)) {
        s.initialize();
        for (int i = 0; i < 20; i++) {
          try (Result r = s.runner().feed(graph.images, x).feed(graph.learningRate, lr).feed(graph.ganActive, active)
              .addTarget(graph.autoencoderStep).addTarget(graph.discriminatorStep).fetch(graph.reconstructionLoss)
              .fetch(graph.discriminatorLoss).fetch(graph.adaptiveWeight).fetch(graph.perceptualLoss).run()) {
            losses.add(((TFloat32) r.get(0)).getFloat());
            float d = ((TFloat32) r.get(1)).getFloat();
            float lambda = ((TFloat32) r.get(2)).getFloat();
            float p = ((TFloat32) r.get(3)).getFloat();
            assertTrue(Float.isFinite(d) && d >= 0, "hinge loss " + d);
            assertTrue(lambda >= 0 && lambda <= 0.8f * AdaptiveWeight.MAX, "lambda " + lambda);
            assertTrue(Float.isFinite(p) && p >= 0, "perceptual loss " + p);
          }
        }
        try (Result r = s.runner().fetch(graph.stepValue).run()) {
          assertEquals(20L, ((TInt64) r.get(0)).getLong());
        }
      } finally {
        graph.graph.close();
      }
    }
    double first = (losses.get(0) + losses.get(1) + losses.get(2)) / 3;
    double last = (losses.get(17) + losses.get(18) + losses.get(19)) / 3;
    assertTrue(last < 0.9 * first, "L1 went from " + first + " to " + last + ": " + losses);
  }
}
