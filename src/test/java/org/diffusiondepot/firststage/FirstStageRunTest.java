package org.diffusiondepot.firststage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.diffusiondepot.config.ConfigException;
import org.diffusiondepot.config.ConfigLoader;
import org.diffusiondepot.data.Batch;
import org.diffusiondepot.data.BatchLoader;
import org.diffusiondepot.data.BuiltinShapes;
import org.diffusiondepot.events.EventReader;
import org.diffusiondepot.events.ScalarPoint;
import org.diffusiondepot.nn.VariableStore;
import org.diffusiondepot.proto.ExperimentConfig;
import org.diffusiondepot.proto.ModelCard;
import org.diffusiondepot.proto.Task;
import org.diffusiondepot.run.CheckpointStore;
import org.diffusiondepot.run.RunDirectory;
import org.diffusiondepot.run.TrainingData;
import org.diffusiondepot.runtime.Tensors;
import org.diffusiondepot.task.ExportContract;
import org.diffusiondepot.train.TrainingRequest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/** One short run (resumed once, the GAN joining at step 3), its latent scale, its export and its summary. */
class FirstStageRunTest {
  // The first run (steps 0-2) trains without the GAN, the resumed one (step 3) with it.
  static final String CONFIG = TestConfigs.text(32, "[1, 1, 2, 2]", 8,
      "discriminator_start: 3 discriminator_weight: 0.8 discriminator_channels: 8 discriminator_layers: 2 "
          + "codebook_restart_every: 2",
      "batch_size: 4 iterations: 10 learning_rate: 2e-3 warmup_steps: 2 checkpoint_every: 3 log_every: 2 "
          + "sample_every: 2 sample_count: 2 validation_every: 2 validation_batches: 1 seed: 3");

  @TempDir static Path dir;
  static Path config;
  static Path run;
  static Path export;
  static String firstOutput;
  static String secondOutput;
  static ModelCard card;
  static final Batch SAMPLES = BatchLoader.load(new BuiltinShapes(32, 3, 20, 9), new int[] {11, 12, 13}, 0, 3);
  static float[] reconstruction;
  static float[] latents;
  static double remeasured;

  @BeforeAll
  static void trainResumeAndExport() throws Exception {
    config = dir.resolve("vqgan.pbtxt");
    Files.writeString(config, CONFIG);
    run = dir.resolve("run");
    firstOutput = train(config, run, 3);
    secondOutput = train(config, run, 4);
    export = dir.resolve("export");
    card = FirstStageExporter.export(run, export, quiet());
    evaluateTrainingGraph();
  }

  /** The training graph restored from the last checkpoint: latents and reconstructions, latent scale again. */
  static void evaluateTrainingGraph() throws Exception {
    ExperimentConfig config = ConfigLoader.load(run.resolve(RunDirectory.CONFIG));
    FirstStageTrainingGraph graph = new FirstStageTrainingGraph(config);
    try (Session s = new Session(graph.graph)) {
      s.restore(new CheckpointStore(run.resolve("checkpoints"), 1).latest().orElseThrow().toString());
      try (TFloat32 x = Tensors.of(SAMPLES.images(), 3, 32, 32, 3); Result r = graph.evaluate(s, x)) {
        reconstruction = Tensors.floats((TFloat32) r.get(0));
        latents = Tensors.floats((TFloat32) r.get(2));
      }
      TrainingData data = TrainingData.open("builtin", config);
      remeasured = LatentScale.measure(s, graph, data.dataset(), data.split().train(), 4);
    } finally {
      graph.graph.close();
    }
  }

  @Test
  void trainsLogsCheckpointsAndResumes() throws Exception {
    assertTrue(firstOutput.contains("finished at step 3"), firstOutput);
    assertTrue(secondOutput.contains("resuming from") && secondOutput.contains("(step 3)"), secondOutput);
    assertTrue(secondOutput.contains("finished at step 4"), secondOutput);
    assertEquals(4, CheckpointStore.stepOf(new CheckpointStore(run.resolve("checkpoints"), 3).latest().orElseThrow()));
    assertTrue(Files.exists(run.resolve(RunDirectory.CONFIG)));
    assertTrue(Files.exists(run.resolve("samples/step-00000002.png")));
    Map<String, List<ScalarPoint>> scalars = EventReader.scalars(run);
    for (String tag : List.of("train/reconstruction_loss", "train/codebook_loss", "train/commitment_loss",
        "train/perplexity", "train/codebook_usage", "train/generator_loss", "train/discriminator_loss",
        "train/adaptive_weight", "train/learning_rate", "train/restarted_codes", "validation/psnr", "latent/scale")) {
      assertTrue(scalars.containsKey(tag), "missing " + tag + " in " + scalars.keySet());
    }
    assertEquals(List.of(2L, 3L, 4L), scalars.get("train/reconstruction_loss").stream().map(ScalarPoint::step).toList());
    assertEquals(List.of(4L), scalars.get("train/discriminator_loss").stream().map(ScalarPoint::step).toList(),
        "the discriminator joins at discriminator_start");
    assertTrue(EventReader.imageTags(run).contains("reconstructions/input_reconstruction"));
  }

  @Test
  void latentScaleIsStoredAndCarriedByTheCard() throws Exception {
    double stored = LatentScale.read(run);
    assertTrue(stored > 0 && Double.isFinite(stored));
    assertEquals(stored, card.getLatentScale(), 0.0);
    assertEquals(stored, remeasured, 1e-6 * stored, "same weights, same images, same scale");
  }

  @Test
  void cardDescribesTheFirstStage() throws Exception {
    assertEquals(Task.FIRST_STAGE, card.getTask());
    assertEquals(32, card.getImageSize());
    assertEquals(3, card.getImageChannels());
    assertEquals(4, card.getModelSize());
    assertEquals(4, card.getModelChannels());
    assertEquals(8, card.getFirstStageFactor());
    assertEquals(4, card.getTrainedSteps());
    assertTrue(card.getSourceConfig().contains("FIRST_STAGE"));
    String summary = FirstStageDescriber.describe(ConfigLoader.load(config));
    String[] lines = summary.strip().split("\n");
    assertEquals("parameters: " + card.getParameters(), lines[lines.length - 1]);
    assertTrue(summary.contains("discriminator (PatchGAN"), summary);
  }

  @Test
  void exportEncodesWithTheScaleAndDecodesLikeTheTrainingGraph() throws Exception {
    Batch batch = SAMPLES;
    float scale = (float) LatentScale.read(run);
    try (SavedModelBundle bundle = SavedModelBundle.load(export.toString(), ExportContract.TAG)) {
      float[] z = call(bundle, ExportContract.ENCODE, ExportContract.IMAGE, batch.images(),
          ExportContract.Z, 3, 32, 32, 3);
      for (int i = 0; i < z.length; i++) {
        assertEquals(latents[i] * scale, z[i], 1e-5f * Math.max(1, Math.abs(z[i])), "z[" + i + "] = scale * latent");
      }
      float[] decoded = call(bundle, ExportContract.DECODE, ExportContract.Z, z, ExportContract.IMAGE,
          3, 4, 4, 4);
      for (int i = 0; i < decoded.length; i++) {
        float expected = Math.max(-1f, Math.min(1f, reconstruction[i]));
        assertEquals(expected, decoded[i], 1e-4f, "pixel " + i);
      }
      // decode divides by the scale: feeding the unscaled latents gives another image
      float[] unscaled = call(bundle, ExportContract.DECODE, ExportContract.Z, latents,
          ExportContract.IMAGE, 3, 4, 4, 4);
      assertFalse(java.util.Arrays.equals(decoded, unscaled));
    }
  }

  @Test
  void restoresIntoAnotherGraphUnderAnotherRoot() throws Exception {
    FirstStageNetwork network = FirstStageNetwork.fromConfig(ConfigLoader.load(run.resolve(RunDirectory.CONFIG)));
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Variable<TFloat32> own = tf.withName("unet.own").variable(tf.withInitScope().constant(2f));
      VariableStore store = VariableStore.forRestore(tf, "first_stage");
      Placeholder<TFloat32> image = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 32, 32, 3)));
      Operand<TFloat32> z = network.encode(tf, store, image);
      Op restore = FirstStageCheckpoint.restoreOp(tf, store, "first_stage", FirstStageCheckpoint.latest(run));
      try (Session s = new Session(g)) {
        s.initialize();
        s.run(restore);
        try (TFloat32 x = Tensors.of(SAMPLES.images(), 3, 32, 32, 3);
            Result r = s.runner().feed(image, x).fetch(z).fetch(own).run()) {
          assertArrayEquals(latents, Tensors.floats((TFloat32) r.get(0)), 1e-6f);
          assertEquals(2f, ((TFloat32) r.get(1)).getFloat(), "the host graph's own variables are left alone");
        }
      }
    }
  }

  @Test
  void theExportHoldsNoTrainingOps() {
    try (SavedModelBundle bundle = SavedModelBundle.load(export.toString(), ExportContract.TAG)) {
      var it = bundle.graph().operations();
      int ops = 0;
      while (it.hasNext()) {
        GraphOperation op = it.next();
        ops++;
        String name = op.name();
        assertFalse(op.type().startsWith("Apply") || op.type().startsWith("Random") || name.contains("gradients")
            || name.contains("optimizer") || name.startsWith("discriminator") || name.contains("restart"),
            name + " " + op.type());
      }
      assertTrue(ops > 50);
    }
  }

  @Test
  void clearErrorsForMissingCheckpointsScaleOrMismatchingConfig() throws Exception {
    Path fresh = dir.resolve("fresh");
    Files.createDirectories(fresh);
    Files.writeString(fresh.resolve(RunDirectory.CONFIG), CONFIG);
    ConfigException noCheckpoint = assertThrows(ConfigException.class,
        () -> FirstStageExporter.export(fresh, dir.resolve("x"), quiet()));
    assertTrue(noCheckpoint.getMessage().contains("has no checkpoint yet"), noCheckpoint.getMessage());

    Path edited = copyCheckpoints("edited");
    Files.writeString(edited.resolve(RunDirectory.CONFIG), CONFIG.replace("base_channels: 8", "base_channels: 12"));
    Files.copy(run.resolve(LatentScale.FILE), edited.resolve(LatentScale.FILE));
    ConfigException mismatch = assertThrows(ConfigException.class,
        () -> FirstStageExporter.export(edited, dir.resolve("y"), quiet()));
    assertTrue(mismatch.getMessage().contains("does not match"), mismatch.getMessage());

    Path unscaled = copyCheckpoints("unscaled");
    Files.writeString(unscaled.resolve(RunDirectory.CONFIG), CONFIG);
    ConfigException noScale = assertThrows(ConfigException.class,
        () -> FirstStageExporter.export(unscaled, dir.resolve("z"), quiet()));
    assertTrue(noScale.getMessage().contains(LatentScale.FILE) && noScale.getMessage().contains("tools/depot train"),
        noScale.getMessage());
  }

  private static Path copyCheckpoints(String name) throws Exception {
    Path copy = dir.resolve(name);
    Files.createDirectories(copy.resolve("checkpoints"));
    try (var files = Files.list(run.resolve("checkpoints"))) {
      for (Path f : files.toList()) {
        Files.copy(f, copy.resolve("checkpoints").resolve(f.getFileName()));
      }
    }
    return copy;
  }

  private static float[] call(SavedModelBundle bundle, String signature, String input, float[] values, String output,
      long... shape) {
    try (Tensor in = Tensors.of(values, shape);
        Result r = bundle.function(signature).call(Map.of(input, in))) {
      return Tensors.floats((TFloat32) r.get(output).orElseThrow());
    }
  }

  private static String train(Path config, Path run, long steps) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    FirstStageTraining.run(new TrainingRequest(config, "builtin", run, steps),
        new PrintStream(bytes, true, StandardCharsets.UTF_8));
    return bytes.toString(StandardCharsets.UTF_8);
  }

  private static PrintStream quiet() {
    return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
  }
}
