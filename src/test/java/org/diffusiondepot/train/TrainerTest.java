package org.diffusiondepot.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.diffusiondepot.config.ConfigException;
import org.diffusiondepot.events.EventReader;
import org.diffusiondepot.events.ScalarPoint;
import org.diffusiondepot.optim.CosineAnnealing;
import org.diffusiondepot.run.CheckpointStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A short run on the built-in data writes checkpoints and TensorBoard events, and resumes. */
class TrainerTest {
  static final String CONFIG = """
      name: "trainer_test" task: UNCONDITIONAL
      model { base_channels: 8 channel_mults: [1, 2] blocks_per_level: 1 attention_resolutions: [4] block: RESNET_3X3 group_norm_groups: 4 }
      diffusion { beta_schedule: LINEAR variance: SAME }
      data { resolution: 8 train_fraction: 0.9 }
      train { batch_size: 4 iterations: 100 learning_rate: 2e-3 warmup_steps: 2 checkpoint_every: 3 log_every: 2
              sample_every: 4 sample_count: 4 sample_steps: 3 validation_every: 4 validation_batches: 1 }
      """;

  @Test
  void trainsLogsCheckpointsAndResumes(@TempDir Path dir) throws Exception {
    Path config = dir.resolve("c.pbtxt");
    Files.writeString(config, CONFIG);
    Path run = dir.resolve("run");
    String first = train(config, run, 4);
    assertTrue(first.contains("finished at step 4"), first);
    assertEquals(4, CheckpointStore.stepOf(new CheckpointStore(run.resolve("checkpoints"), 3).latest().orElseThrow()));
    assertTrue(Files.exists(run.resolve("config.pbtxt")));
    assertTrue(Files.exists(run.resolve("samples/step-00000004.png")));

    String second = train(config, run, 6);
    assertTrue(second.contains("resuming from") && second.contains("(step 4)"), second);
    assertTrue(second.contains("finished at step 6"), second);

    Map<String, List<ScalarPoint>> scalars = EventReader.scalars(run);
    for (String tag : List.of("train/loss", "train/learning_rate", "train/gradient_norm", "train/images_per_second",
        "validation/loss")) {
      assertTrue(scalars.containsKey(tag), "missing " + tag + " in " + scalars.keySet());
    }
    assertTrue(scalars.keySet().stream().anyMatch(t -> t.startsWith("train/loss_t_quarter")));
    assertEquals(List.of(2L, 4L, 6L), scalars.get("train/loss").stream().map(ScalarPoint::step).toList());
    assertTrue(EventReader.imageTags(run).stream().anyMatch(t -> t.startsWith("samples/")));
    // the learning rate follows the schedule across the restart
    CosineAnnealing schedule = new CosineAnnealing(2e-3, 1e-10, 100, 1, 2);
    assertEquals(schedule.at(5), scalars.get("train/learning_rate").get(2).value(), 1e-9);
  }

  /** Going on past train.iterations keeps the learning rate at its minimum instead of restarting the cycle. */
  @Test
  void aRunResumedPastItsIterationsKeepsTheMinimumLearningRate(@TempDir Path dir) throws Exception {
    Path config = dir.resolve("c.pbtxt");
    Files.writeString(config, CONFIG.replace("iterations: 100", "iterations: 4").replace("sample_every: 4",
        "sample_every: 0").replace("validation_every: 4", "validation_every: 0"));
    Path run = dir.resolve("run");
    String first = train(config, run, 4);
    assertTrue(!first.contains("schedule ends"), first);
    String second = train(config, run, 8);
    assertTrue(second.contains("the learning-rate schedule ends at step 4"), second);
    Map<String, List<ScalarPoint>> scalars = EventReader.scalars(run);
    List<ScalarPoint> lr = scalars.get("train/learning_rate");
    assertEquals(List.of(2L, 4L, 6L, 8L), lr.stream().map(ScalarPoint::step).toList());
    assertTrue(lr.get(0).value() > 1e-4, "inside the schedule: " + lr.get(0));
    assertEquals(1e-10, lr.get(2).value(), 1e-16, "past the schedule the rate stays at train.min_learning_rate");
    assertEquals(1e-10, lr.get(3).value(), 1e-16);
  }

  /** A diverging run stops with one message; its last checkpoint is the last good (finite) state. */
  @Test
  void aDivergingRunStopsAndKeepsTheLastGoodState(@TempDir Path dir) throws Exception {
    Path config = dir.resolve("c.pbtxt");
    Files.writeString(config, CONFIG.replace("learning_rate: 2e-3 warmup_steps: 2", "learning_rate: 1e12 warmup_steps: 0")
        .replace("checkpoint_every: 3", "checkpoint_every: 1000").replace("sample_every: 4", "sample_every: 0")
        .replace("validation_every: 4", "validation_every: 0"));
    Path run = dir.resolve("run");
    TrainingDivergedException e = org.junit.jupiter.api.Assertions.assertThrows(TrainingDivergedException.class,
        () -> train(config, run, 50));
    assertTrue(e.getMessage().contains("was not applied") && e.getMessage().contains("holds the last good state")
        && e.getMessage().contains("train.learning_rate"), e.getMessage());
    Path latest = new CheckpointStore(run.resolve("checkpoints"), 3).latest().orElseThrow();
    assertTrue(e.getMessage().contains(latest.toString()), e.getMessage());
    org.diffusiondepot.proto.ExperimentConfig c = org.diffusiondepot.config.ConfigLoader.load(config);
    TrainingGraph g = new TrainingGraph(c);
    try (org.tensorflow.Session s = new org.tensorflow.Session(g.graph)) {
      s.restore(latest.toString());
      assertEquals(CheckpointStore.stepOf(latest), DiffusionTraining.readStep(s, g));
      for (var v : g.weights.variables().values()) {
        try (org.tensorflow.Result r = s.runner().fetch(v).run()) {
          for (float x : org.diffusiondepot.runtime.Tensors.floats((org.tensorflow.types.TFloat32) r.get(0))) {
            assertTrue(Float.isFinite(x), "a weight of the saved state is " + x);
          }
        }
      }
    } finally {
      g.graph.close();
    }
  }

  @Test
  void refusesToResumeWithAnotherModel(@TempDir Path dir) throws Exception {
    Path config = dir.resolve("c.pbtxt");
    Files.writeString(config, CONFIG);
    Path run = dir.resolve("run");
    train(config, run, 1);
    Files.writeString(config, CONFIG.replace("base_channels: 8", "base_channels: 16"));
    var e = org.junit.jupiter.api.Assertions.assertThrows(org.diffusiondepot.config.ConfigException.class,
        () -> train(config, run, 2));
    assertTrue(e.getMessage().contains("different model"), e.getMessage());
  }

  private static String train(Path config, Path run, long steps) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DiffusionTraining.run(new TrainingRequest(config, "builtin", run, steps), new PrintStream(bytes, true, StandardCharsets.UTF_8));
    return bytes.toString(StandardCharsets.UTF_8);
  }

  /**
   * The averages of the weights wait for one barrier after the optimizer's updates, not each for
   * every update: that made ops x weights control edges, seconds of grappler before a first step.
   */
  @Test
  void eachAverageWaitsForOneBarrierNotForEveryUpdate() {
    TrainingGraph g = new TrainingGraph(org.diffusiondepot.config.ConfigLoader.parse(CONFIG, "TrainerTest.CONFIG"));
    try {
      java.util.Set<String> shadows = new java.util.HashSet<>();
      g.emaShadows.values().forEach(v -> shadows.add(v.op().name()));
      int averages = 0;
      for (var it = g.graph.operations(); it.hasNext();) {
        org.tensorflow.GraphOperation op = it.next();
        if (op.type().equals("ApplyGradientDescent") && shadows.contains(op.input(0).op().name())) {
          averages++;
          assertEquals(List.of("weights_updated"), op.controlInputs().stream().map(o -> o.name()).toList(), op.name());
        }
      }
      assertEquals(g.weights.variables().size(), averages, "one average per weight");
    } finally {
      g.graph.close();
    }
  }
}
