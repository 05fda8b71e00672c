package org.diffusiondepot.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.diffusiondepot.config.ConfigLoader;
import org.diffusiondepot.proto.ExperimentConfig;
import org.diffusiondepot.run.CheckpointStore;
import org.diffusiondepot.runtime.Tensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * The layout of a step (replicas, micro-batches) changes how the batch is computed, not what is
 * learned: 3 updates on one device and on any layout end with the same weights, Adam moments and
 * EMA, up to the order of float sums (1e-5 relative), and a checkpoint of one layout resumes on
 * another. t and noise are drawn per example for the whole batch, so every layout sees the same.
 */
class TrainingLayoutTest {
  static final String CONFIG = """
      name: "layout" task: UNCONDITIONAL
      model { base_channels: 8 channel_mults: [1, 2] blocks_per_level: 1 attention_resolutions: [4] block: RESNET_3X3
              group_norm_groups: 4 }
      diffusion { beta_schedule: LINEAR variance: SAME }
      data { resolution: 8 }
      train { batch_size: 16 iterations: 10 learning_rate: 1e-3 weight_decay: 0.01 grad_clip_norm: 1.0
              ema_decay: 0.9 %s }
      """;
  static final int BATCH = 16;
  static final double TOLERANCE = 1e-5;

  /** Three updates of one device on the whole batch: what every layout must reproduce. */
  static Map<String, float[]> reference;

  @org.junit.jupiter.api.BeforeAll
  static void oneDevice() {
    reference = run("", 3);
  }

  @Test
  void fp16WithoutAGpuIsOneClearErrorPointingToBf16() {
    org.junit.jupiter.api.Assumptions.assumeTrue(org.diffusiondepot.runtime.Devices.gpus() == 0, "a GPU is present");
    TrainingLayout layout = TrainingLayout.of(config("precision: FP16").getTrain());
    var e = org.junit.jupiter.api.Assertions.assertThrows(org.diffusiondepot.config.ConfigException.class,
        layout::sessionConfig);
    org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("BF16"), e.getMessage());
  }

  @Test
  void fourMicroBatchesOfFourEqualOneBatchOfSixteen() {
    assertSameState(reference, run("accumulation_steps: 4", 3), "accumulation 4");
  }

  @Test
  void twoReplicasOfEightEqualOneDeviceOfSixteen() {
    assertSameState(reference, run("devices: [\"/device:CPU:0\", \"/device:CPU:1\"]", 3), "2 replicas");
  }

  @Test
  void replicasAndMicroBatchesTogether() {
    assertSameState(reference,
        run("devices: [\"/device:CPU:0\", \"/device:CPU:1\"] accumulation_steps: 2", 3), "2 replicas x 2");
  }

  /** train.recompute changes what the backward pass keeps, not what it computes. */
  @Test
  void recomputedBlocksLearnWhatTheWholeGraphLearns() {
    assertSameState(reference, run("recompute: true", 3), "recompute");
  }

  /** Recomputation inside towers: each tower's blocks are rebuilt under its own gradient scope. */
  @Test
  void recomputedBlocksInReplicasAndMicroBatches() {
    assertSameState(reference,
        run("recompute: true devices: [\"/device:CPU:0\", \"/device:CPU:1\"] accumulation_steps: 2", 3),
        "recompute, 2 replicas x 2");
  }

  /** A checkpoint written by two replicas resumes on one device and continues as if it had been one all along. */
  @Test
  void aCheckpointOfTwoReplicasResumesOnOneDevice(@TempDir Path dir) throws Exception {
    ExperimentConfig two = config("devices: [\"/device:CPU:0\", \"/device:CPU:1\"]");
    ExperimentConfig one = config("");
    CheckpointStore store = new CheckpointStore(dir, 2);
    TrainingGraph g2 = new TrainingGraph(two);
    try (Session s = new Session(g2.graph, g2.layout.sessionConfig())) {
      s.initialize();
      s.run(g2.initEma);
      for (int i = 0; i < 2; i++) {
        step(s, g2, i);
      }
      store.save(s, 2);
    } finally {
      g2.graph.close();
    }
    TrainingGraph g1 = new TrainingGraph(one);
    Map<String, float[]> resumed;
    try (Session s = new Session(g1.graph, g1.layout.sessionConfig())) {
      s.restore(store.latest().orElseThrow().toString());
      assertEquals(2, DiffusionTraining.readStep(s, g1));
      step(s, g1, 2);
      resumed = state(s, g1);
    } finally {
      g1.graph.close();
    }
    assertSameState(reference, resumed, "resumed on one device");
  }

  static ExperimentConfig config(String train) {
    return ConfigLoader.parse(CONFIG.formatted(train), "layout");
  }

  /** Every variable after {@code steps} updates on fixed batches. */
  static Map<String, float[]> run(String train, int steps) {
    TrainingGraph g = new TrainingGraph(config(train));
    try (Session s = new Session(g.graph, g.layout.sessionConfig())) {
      s.initialize();
      s.run(g.initEma);
      for (int i = 0; i < steps; i++) {
        step(s, g, i);
      }
      try (Result r = s.runner().fetch(g.stepValue).run()) {
        assertEquals(steps, ((TInt64) r.get(0)).getLong());
      }
      return state(s, g);
    } finally {
      g.graph.close();
    }
  }

  static void step(Session s, TrainingGraph g, int i) {
    float[] batch = new float[BATCH * 8 * 8 * 3];
    Random random = new Random(100 + i);
    for (int k = 0; k < batch.length; k++) {
      batch[k] = random.nextFloat() * 2 - 1;
    }
    try (TFloat32 x = Tensors.of(batch, BATCH, 8, 8, 3); TFloat32 lr = TFloat32.scalarOf(1e-3f);
        Result r = s.runner().feed(g.x0, x).feed(g.learningRate, lr).addTarget(g.trainStep).fetch(g.loss).run()) {
      assertTrue(Float.isFinite(((TFloat32) r.get(0)).getFloat()));
    }
  }

  /** Weights, both Adam slots and the EMA shadow of every parameter, fetched in one run (one compile). */
  static Map<String, float[]> state(Session s, TrainingGraph g) {
    List<String> names = new ArrayList<>();
    Session.Runner runner = s.runner();
    for (String name : g.weights.variables().keySet()) {
      String op = name.replace('/', '.');
      for (String variable : List.of(op, "ema." + op, "optimizer.m." + op, "optimizer.v." + op)) {
        names.add(variable);
        runner.fetch(g.graph.operation(variable).output(0));
      }
    }
    Map<String, float[]> out = new LinkedHashMap<>();
    try (Result r = runner.run()) {
      for (int i = 0; i < names.size(); i++) {
        out.put(names.get(i), Tensors.floats((TFloat32) r.get(i)));
      }
    }
    return out;
  }

  /** Each variable within 1e-5 of the reference, relative to its norm. */
  static void assertSameState(Map<String, float[]> expected, Map<String, float[]> actual, String what) {
    assertEquals(expected.keySet(), actual.keySet());
    List<String> off = new ArrayList<>();
    double worst = 0;
    for (String name : expected.keySet()) {
      float[] a = expected.get(name);
      float[] b = actual.get(name);
      double diff = 0;
      double norm = 0;
      for (int i = 0; i < a.length; i++) {
        diff += (a[i] - b[i]) * (double) (a[i] - b[i]);
        norm += a[i] * (double) a[i];
      }
      double relative = Math.sqrt(diff) / Math.max(Math.sqrt(norm), 1e-12);
      worst = Math.max(worst, relative);
      if (relative > TOLERANCE) {
        off.add(name + " " + relative);
      }
    }
    assertTrue(off.isEmpty(), what + ": variables off by more than 1e-5 relative (worst " + worst + "): " + off);
  }
}
