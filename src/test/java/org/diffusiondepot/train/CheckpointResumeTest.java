package org.diffusiondepot.train;

import org.diffusiondepot.run.CheckpointStore;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.diffusiondepot.config.ConfigLoader;
import org.diffusiondepot.proto.ExperimentConfig;
import org.diffusiondepot.runtime.Tensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.types.TFloat32;

/**
 * Saving and restoring a training graph keeps every weight, optimizer slot, EMA shadow and the
 * step; a restored run then takes exactly the step the uninterrupted one takes.
 */
class CheckpointResumeTest {
  static final String CONFIG = """
      name: "resume" task: UNCONDITIONAL
      model { base_channels: 8 channel_mults: [1, 2] blocks_per_level: 1 attention_resolutions: [4] block: CONVNEXT_7X7 }
      diffusion { beta_schedule: LINEAR variance: SAME }
      data { resolution: 8 }
      train { batch_size: 2 iterations: 10 learning_rate: 1e-3 weight_decay: 0.01 grad_clip_norm: 1.0 }
      """;

  @Test
  void restoredRunContinuesIdentically(@TempDir Path dir) throws IOException {
    ExperimentConfig c = ConfigLoader.parse(CONFIG, "resume");
    float[] batch = new float[2 * 8 * 8 * 3];
    Random r = new Random(5);
    for (int i = 0; i < batch.length; i++) {
      batch[i] = r.nextFloat() * 2 - 1;
    }
    CheckpointStore store = new CheckpointStore(dir.resolve("checkpoints"), 2);
    TrainingGraph original = new TrainingGraph(c);
    TrainingGraph restored = new TrainingGraph(c);
    try (Session a = new Session(original.graph); Session b = new Session(restored.graph)) {
      a.initialize();
      a.run(original.initEma);
      step(a, original, batch);
      step(a, original, batch);
      Path saved = store.save(a, 2);
      assertEquals(saved, store.latest().orElseThrow());
      assertEquals(2, CheckpointStore.stepOf(saved));

      b.restore(saved.toString());
      assertEquals(2, DiffusionTraining.readStep(b, restored));
      List<String> names = new ArrayList<>(original.weights.variables().keySet());
      assertArrayEquals(values(a, original, names), values(b, restored, names), "weights, slots, EMA");

      float lossA = step(a, original, batch);
      float lossB = step(b, restored, batch);
      assertEquals(lossA, lossB, 0f, "same t and noise are drawn at the same step");
      assertArrayEquals(values(a, original, names), values(b, restored, names));
    } finally {
      original.graph.close();
      restored.graph.close();
    }
  }

  @Test
  void keepsOnlyTheNewestAndNeverLeavesAPartialLatest(@TempDir Path dir) throws IOException {
    ExperimentConfig c = ConfigLoader.parse(CONFIG, "resume");
    CheckpointStore store = new CheckpointStore(dir, 2);
    TrainingGraph g = new TrainingGraph(c);
    try (Session s = new Session(g.graph)) {
      s.initialize();
      for (long step = 1; step <= 4; step++) {
        store.save(s, step);
      }
      assertEquals(4, CheckpointStore.stepOf(store.latest().orElseThrow()));
      assertFalse(Files.exists(dir.resolve("ckpt-00000001.index")));
      assertFalse(Files.exists(dir.resolve("ckpt-00000002.index")));
      assertTrue(Files.exists(dir.resolve("ckpt-00000003.index")));
      // a crash between writing files and publishing leaves temporary files only: latest is intact
      Files.writeString(dir.resolve(".tmp-ckpt-00000005.index"), "partial");
      assertEquals(4, CheckpointStore.stepOf(store.latest().orElseThrow()));
    } finally {
      g.graph.close();
    }
  }

  /** A batch with a NaN gives a NaN loss; its update is not applied: weights, slots, EMA and step stay. */
  @Test
  void aNonFiniteStepLeavesEveryVariableAsItWas() {
    ExperimentConfig c = ConfigLoader.parse(CONFIG, "resume");
    float[] batch = new float[2 * 8 * 8 * 3];
    float[] poisoned = batch.clone();
    poisoned[17] = Float.NaN;
    TrainingGraph g = new TrainingGraph(c);
    try (Session s = new Session(g.graph)) {
      s.initialize();
      s.run(g.initEma);
      step(s, g, batch);
      List<String> names = new ArrayList<>(g.weights.variables().keySet());
      float[] before = values(s, g, names);
      assertTrue(Float.isNaN(step(s, g, poisoned)));
      assertEquals(1, DiffusionTraining.readStep(s, g), "the step counter did not move");
      assertArrayEquals(before, values(s, g, names), "weights, slots and EMA are untouched");
      assertTrue(Float.isFinite(step(s, g, batch)), "training goes on from the good state");
      assertEquals(2, DiffusionTraining.readStep(s, g));
    } finally {
      g.graph.close();
    }
  }

  private static float step(Session s, TrainingGraph g, float[] batch) {
    try (TFloat32 x = Tensors.of(batch, 2, 8, 8, 3); TFloat32 lr = TFloat32.scalarOf(1e-3f);
        Result r = s.runner().feed(g.x0, x).feed(g.learningRate, lr).addTarget(g.trainStep).fetch(g.loss).run()) {
      return ((TFloat32) r.get(0)).getFloat();
    }
  }

  /** Every weight, both Adam slots and the EMA shadow of each, concatenated (one run: one compile). */
  private static float[] values(Session s, TrainingGraph g, List<String> names) {
    Session.Runner runner = s.runner();
    int fetched = 0;
    for (String name : names) {
      String op = name.replace('/', '.');
      runner.fetch(g.weights.variables().get(name)).fetch(g.emaShadows.get(name))
          .fetch(g.graph.operation("optimizer.m." + op).output(0)).fetch(g.graph.operation("optimizer.v." + op).output(0));
      fetched += 4;
    }
    List<Float> all = new ArrayList<>();
    try (Result r = runner.run()) {
      for (int i = 0; i < fetched; i++) {
        for (float v : Tensors.floats((TFloat32) r.get(i))) {
          all.add(v);
        }
      }
    }
    float[] out = new float[all.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = all.get(i);
    }
    return out;
  }
}
