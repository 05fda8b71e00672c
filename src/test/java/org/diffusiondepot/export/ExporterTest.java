package org.diffusiondepot.export;

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
import java.util.Random;
import org.diffusiondepot.config.ConfigException;
import org.diffusiondepot.config.ConfigLoader;
import org.diffusiondepot.proto.ModelCard;
import org.diffusiondepot.proto.Task;
import org.diffusiondepot.run.CheckpointStore;
import org.diffusiondepot.run.RunDirectory;
import org.diffusiondepot.runtime.Tensors;
import org.diffusiondepot.sampler.DepotModel;
import org.diffusiondepot.sampler.ModelCards;
import org.diffusiondepot.sampler.Samples;
import org.diffusiondepot.task.Conditioning;
import org.diffusiondepot.task.ExportContract;
import org.diffusiondepot.train.DiffusionTraining;
import org.diffusiondepot.train.TrainingGraph;
import org.diffusiondepot.train.TrainingRequest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.GraphOperation;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.types.TFloat32;

class ExporterTest {
  static final String CONFIG = """
      name: "export_test" task: UNCONDITIONAL
      model { base_channels: 8 channel_mults: [1, 2] blocks_per_level: 1 attention_resolutions: [4] block: CONVNEXT_7X7 dropout: 0.1 }
      diffusion { beta_schedule: COSINE variance: TRUE }
      data { resolution: 8 }
      train { batch_size: 4 iterations: 50 learning_rate: 1e-3 checkpoint_every: 100 sample_count: 2 sample_steps: 2
              ema_decay: 0.9 }
      """;

  @TempDir static Path dir;
  static Path run;
  static Path export;
  static ModelCard card;

  @BeforeAll
  static void trainAndExport() throws Exception {
    Path config = dir.resolve("c.pbtxt");
    Files.writeString(config, CONFIG);
    run = dir.resolve("run");
    PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    DiffusionTraining.run(new TrainingRequest(config, "builtin", run, 5L), quiet);
    export = dir.resolve("export");
    card = Exporter.export(run, export, quiet);
  }

  @Test
  void cardDescribesTheModel() {
    assertEquals(Task.UNCONDITIONAL, card.getTask());
    assertEquals(8, card.getImageSize());
    assertEquals(5, card.getTrainedSteps());
    assertEquals(org.diffusiondepot.proto.BetaSchedule.COSINE, card.getDiffusion().getBetaSchedule());
    assertEquals(org.diffusiondepot.proto.VarianceType.TRUE, card.getDiffusion().getVariance());
    assertEquals(1000, card.getDiffusion().getTimesteps());
    assertEquals("builtin", card.getTrainingData(), "the card says what the run trained on, for eval");
  }

  @Test
  void theCardEmbedsTheRunsEffectiveDiffusionSettings() throws Exception {
    // The config sets only beta_schedule and variance; the card must hold what the run trained
    // with (T, betas, cosine offset, clipping), not leave them to the reader's defaults.
    assertEquals(ConfigLoader.load(run.resolve(RunDirectory.CONFIG)).getDiffusion(), card.getDiffusion());
    assertTrue(card.getDiffusion().hasClipDenoised() && card.getDiffusion().getClipDenoised());
    assertEquals(0.008, card.getDiffusion().getCosineOffset(), 0);
    assertEquals(card, ModelCards.read(export));
    String text = Files.readString(export.resolve(ModelCards.FILE));
    assertTrue(text.contains("diffusion {"), text);
    assertFalse(text.lines().anyMatch(l -> l.startsWith("timesteps:") || l.startsWith("denoise_signature:")), text);
  }

  @Test
  void exportedNoisePredictionEqualsTheTrainingGraphsEmaPrediction() throws Exception {
    Random r = new Random(3);
    float[] xt = new float[2 * 8 * 8 * 3];
    for (int i = 0; i < xt.length; i++) {
      xt[i] = (float) r.nextGaussian();
    }
    int[] t = {17, 912};
    float[] exported;
    try (DepotModel model = DepotModel.load(export)) {
      exported = model.predict(xt, t, Conditioning.none(), 2);
    }
    TrainingGraph graph = new TrainingGraph(ConfigLoader.load(run.resolve(RunDirectory.CONFIG)));
    try (Session s = new Session(graph.graph)) {
      s.restore(new CheckpointStore(run.resolve("checkpoints"), 1).latest().orElseThrow().toString());
      try (TFloat32 x = Tensors.of(xt, 2, 8, 8, 3); var steps = Tensors.of(t, 2);
          Result res = s.runner().feed(graph.sampleXt, x).feed(graph.sampleT, steps).fetch(graph.sampleEps).run()) {
        float[] training = Tensors.floats((TFloat32) res.get(0));
        for (int i = 0; i < training.length; i++) {
          assertEquals(training[i], exported[i], 1e-5f, "eps[" + i + "]");
        }
      }
    } finally {
      graph.graph.close();
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
        assertFalse(op.type().startsWith("Apply") || op.name().contains("gradients") || op.name().contains("optimizer")
            || op.name().startsWith("unet.") || op.type().startsWith("RandomUniform"), op.name() + " " + op.type());
      }
      assertTrue(ops > 100);
    }
  }

  @Test
  void sampledImagesAreDeterministicPerSeed() throws Exception {
    try (DepotModel model = DepotModel.load(export)) {
      Samples a = model.sampling().count(2).ddim(5).seed(4).run();
      Samples b = model.sampling().count(2).ddim(5).seed(4).run();
      Samples c = model.sampling().count(2).ddim(5).seed(5).run();
      assertTrue(java.util.Arrays.equals(a.pixels(), b.pixels()));
      assertFalse(java.util.Arrays.equals(a.pixels(), c.pixels()));
      assertEquals(2, a.images().size());
      for (float v : a.pixels()) {
        assertTrue(v >= -1.0001f && v <= 1.0001f, "clipped x0 stays in range: " + v);
      }
    }
  }

  @Test
  void aRunWithoutCheckpointIsAClearError() throws Exception {
    Path empty = dir.resolve("fresh");
    Files.createDirectories(empty);
    Files.writeString(empty.resolve(RunDirectory.CONFIG), CONFIG);
    ConfigException e = assertThrows(ConfigException.class,
        () -> Exporter.export(empty, dir.resolve("x"), System.out));
    assertTrue(e.getMessage().contains("has no checkpoint yet"), e.getMessage());
  }

  @Test
  void aConfigThatNoLongerMatchesTheCheckpointIsAClearError() throws Exception {
    Path copy = dir.resolve("edited");
    Files.createDirectories(copy.resolve("checkpoints"));
    try (var files = Files.list(run.resolve("checkpoints"))) {
      for (Path f : files.toList()) {
        Files.copy(f, copy.resolve("checkpoints").resolve(f.getFileName()));
      }
    }
    Files.writeString(copy.resolve(RunDirectory.CONFIG), CONFIG.replace("base_channels: 8", "base_channels: 12"));
    ConfigException e = assertThrows(ConfigException.class,
        () -> Exporter.export(copy, dir.resolve("y"), System.out));
    assertTrue(e.getMessage().contains("does not match"), e.getMessage());
  }

  @Test
  void refusesToOverwriteSomethingElse() throws Exception {
    Path other = dir.resolve("precious");
    Files.createDirectories(other);
    Files.writeString(other.resolve("notes.txt"), "keep me");
    assertThrows(ConfigException.class, () -> Exporter.export(run, other, System.out));
    assertEquals("keep me", Files.readString(other.resolve("notes.txt")));
  }

  /**
   * A bf16 export computes its convolutions and matmuls in bf16: its noise prediction differs from
   * the fp32 one (so 16 bits are really used) by no more than bf16 rounding accumulated through the net.
   */
  @Test
  void aBf16ExportPredictsLikeTheFp32One() throws Exception {
    Path bf16 = dir.resolve("export-bf16");
    PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    ModelCard card16 = Exporter.export(run, bf16, quiet, org.diffusiondepot.proto.Precision.BF16);
    assertEquals(org.diffusiondepot.proto.Precision.BF16, ModelCards.read(bf16).getPrecision());
    float[] xt = new float[2 * 8 * 8 * 3];
    Random random = new Random(3);
    for (int i = 0; i < xt.length; i++) {
      xt[i] = (float) random.nextGaussian();
    }
    int[] t = {10, 700};
    float[] full;
    float[] half;
    try (DepotModel a = DepotModel.load(export); DepotModel b = DepotModel.load(bf16)) {
      full = a.predict(xt, t, Conditioning.none(), 2);
      half = b.predict(xt, t, Conditioning.none(), 2);
    }
    double diff = 0;
    double norm = 0;
    for (int i = 0; i < full.length; i++) {
      diff += (full[i] - half[i]) * (double) (full[i] - half[i]);
      norm += full[i] * (double) full[i];
    }
    double relative = Math.sqrt(diff / norm);
    // bf16 keeps 8 bits of mantissa (relative 2^-8 = 0.004 per value); errors add up through the network
    assertTrue(relative < 0.05, "bf16 against fp32: relative L2 difference " + relative);
    assertTrue(relative > 1e-4, "a bf16 export that computes exactly as fp32 does not use bf16: " + relative);
    assertEquals(card.getTrainedSteps(), card16.getTrainedSteps());
  }

  @Test
  void anExportWithoutItsWeightsIsOneClearError() throws Exception {
    Path broken = dir.resolve("export-no-weights");
    PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    Exporter.export(run, broken, quiet);
    ExportDirectory.deleteRecursively(broken.resolve("variables"));
    var e = assertThrows(org.diffusiondepot.sampler.SamplingException.class, () -> DepotModel.load(broken));
    assertTrue(e.getMessage().contains("has no weights") && e.getMessage().contains("tools/depot export"),
        e.getMessage());
  }

  @Test
  void aCardFromANewerVersionIsRefusedSayingSo() throws Exception {
    Path newer = dir.resolve("export-newer");
    PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    Exporter.export(run, newer, quiet);
    Path file = newer.resolve(ModelCards.FILE);
    Files.writeString(file, Files.readString(file).replaceAll("format_version: \\d+", "format_version: 99")
        + "\nsome_future_field: 1\n");
    var e = assertThrows(org.diffusiondepot.sampler.SamplingException.class, () -> DepotModel.load(newer));
    assertTrue(e.getMessage().contains("newer Diffusion Depot") && e.getMessage().contains("card format 99"),
        e.getMessage());
  }
}
