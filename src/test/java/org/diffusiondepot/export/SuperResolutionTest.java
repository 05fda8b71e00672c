package org.diffusiondepot.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.diffusiondepot.config.ConfigException;
import org.diffusiondepot.eval.MetricsReport;
import org.diffusiondepot.eval.ModelEvaluation;
import org.diffusiondepot.firststage.FirstStageExporter;
import org.diffusiondepot.firststage.FirstStageTraining;
import org.diffusiondepot.proto.ModelCard;
import org.diffusiondepot.proto.Prediction;
import org.diffusiondepot.proto.Task;
import org.diffusiondepot.sampler.DepotModel;
import org.diffusiondepot.sampler.FirstStageModel;
import org.diffusiondepot.sampler.Samples;
import org.diffusiondepot.sampler.SamplingException;
import org.diffusiondepot.sampler.cli.SampleCli;
import org.diffusiondepot.task.Conditioning;
import org.diffusiondepot.train.DiffusionTraining;
import org.diffusiondepot.train.TrainingRequest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Latent super-resolution end to end on a tiny VQGAN (16 px, f = 4) and a tiny latent UNet. */
class SuperResolutionTest {
  static final String VQGAN = """
      name: "tiny_vqgan" task: FIRST_STAGE
      data { resolution: 16 channels: 3 train_fraction: 0.8 }
      first_stage { factor: 4 base_channels: 8 channel_mults: [1, 1, 2] blocks_per_level: 1 latent_channels: 3
                    embedding_dim: 3 codebook_size: 16 commitment_beta: 0.25 }
      train { batch_size: 4 iterations: 10 checkpoint_every: 100 log_every: 1 sample_every: 100 validation_every: 100 }
      """;
  static final String SR = """
      name: "tiny_sr" task: SUPER_RESOLUTION
      model { base_channels: 8 channel_mults: [1, 2] block: RESNET_3X3 group_norm_groups: 4 middle_attention: false }
      diffusion { beta_schedule: LINEAR variance: SAME prediction: V clip_denoised: false }
      data { resolution: 16 channels: 3 }
      super_resolution { downscale: 2 first_stage: "%s" }
      latent_shape: [3, 4, 4]
      train { batch_size: 4 iterations: 10 sample_count: 2 sample_steps: 2 }
      """;

  @TempDir static Path dir;
  static Path firstStageExport;
  static Path export;
  static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

  @BeforeAll
  static void trainBothStagesAndExport() throws Exception {
    Path vqgan = dir.resolve("vqgan.pbtxt");
    Files.writeString(vqgan, VQGAN);
    FirstStageTraining.run(new TrainingRequest(vqgan, "builtin", dir.resolve("vqgan"), 2L), QUIET);
    firstStageExport = dir.resolve("vqgan-export");
    FirstStageExporter.export(dir.resolve("vqgan"), firstStageExport, QUIET);
    Path sr = dir.resolve("sr.pbtxt");
    Files.writeString(sr, SR.formatted(firstStageExport.toString().replace("\\", "/")));
    DiffusionTraining.run(new TrainingRequest(sr, "builtin", dir.resolve("sr"), 2L), QUIET);
    export = dir.resolve("sr-export");
    Exporter.export(dir.resolve("sr"), export, QUIET);
  }

  @Test
  void theExportIsSelfContainedAndCarriesTheLatentScale() throws Exception {
    try (DepotModel model = DepotModel.load(export);
        FirstStageModel original = FirstStageModel.load(firstStageExport)) {
      ModelCard card = model.card();
      assertEquals(Task.SUPER_RESOLUTION, card.getTask());
      assertEquals(16, card.getImageSize());
      assertEquals(8, card.getLowResSize());
      assertEquals(4, card.getModelSize());
      assertEquals(Prediction.V, card.getDiffusion().getPrediction(), "as the demo: a v-network, unclipped latents");
      assertFalse(card.getDiffusion().getClipDenoised());
      double scale = original.card().getLatentScale();
      assertTrue(scale > 0 && Double.isFinite(scale));
      assertEquals(scale, card.getLatentScale(), 0.0, "the diffusion card carries the first stage's scale");
      assertEquals(scale, model.firstStage().card().getLatentScale(), 0.0);
      // The bundled copy decodes exactly like the export the run referenced.
      float[] z = new float[2 * 4 * 4 * 3];
      for (int i = 0; i < z.length; i++) {
        z[i] = (float) Math.sin(i * 0.7);
      }
      assertArrayEquals(original.decode(z, 2), model.firstStage().decode(z, 2), 0f);
    }
  }

  @Test
  void theVNetworksOutputReachesSamplersAsEps() throws Exception {
    // eps = sqrt(abar) v + sqrt(1 - abar) x_t: at the last step sqrt(abar_T) = 0.006 and
    // sqrt(1 - abar_T) > 0.9999, so whatever v the briefly trained network gives, eps is x_t to within
    // about 0.006 |v|; its raw v is not x_t at all.
    try (DepotModel model = DepotModel.load(export)) {
      int n = 2;
      float[] xt = new float[n * 4 * 4 * 3];
      java.util.Random random = new java.util.Random(4);
      for (int i = 0; i < xt.length; i++) {
        xt[i] = (float) random.nextGaussian();
      }
      int last = model.schedule().timesteps() - 1;
      float[] lowRes = new float[n * 8 * 8 * 3];
      float[] eps = model.predict(xt, new int[] {last, last}, Conditioning.ofLowRes(lowRes), n);
      for (int i = 0; i < xt.length; i++) {
        assertEquals(xt[i], eps[i], 0.05, "value " + i);
      }
    }
  }

  @Test
  void samplesAreDecodedImagesAtTheHighResolution() throws Exception {
    try (DepotModel model = DepotModel.load(export)) {
      float[] lowRes = new float[8 * 8 * 3];
      for (int i = 0; i < lowRes.length; i++) {
        lowRes[i] = (i % 5) / 2.5f - 1f;
      }
      Samples s = model.sampling().count(2).ddim(2).lowRes(lowRes).seed(1).run();
      assertEquals(16, s.size());
      assertEquals(3, s.channels());
      for (float v : s.sample(1)) {
        assertTrue(Float.isFinite(v));
      }
      SamplingException wrongSize = assertThrows(SamplingException.class,
          () -> model.sampling().count(1).ddim(2).lowRes(new float[4 * 4 * 3]).run());
      assertTrue(wrongSize.getMessage().contains("8x8"), wrongSize.getMessage());
      SamplingException missing = assertThrows(SamplingException.class, () -> model.sampling().count(1).ddim(2).run());
      assertTrue(missing.getMessage().contains("--low-res"), missing.getMessage());
    }
  }

  @Test
  void cliUpscalesAndResizesAnOddSizedInputWithANote() throws Exception {
    Path in = dir.resolve("low.png");
    ImageIO.write(new BufferedImage(10, 10, BufferedImage.TYPE_INT_RGB), "png", in.toFile());
    Path out = dir.resolve("up.png");
    Path outDir = dir.resolve("up");
    StringWriter err = new StringWriter();
    int code = SampleCli.execute(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true), "--model",
        export.toString(), "--low-res", in.toString(), "--num", "1", "--steps", "2", "--out", out.toString(), "--out-dir", outDir.toString());
    assertEquals(0, code, err.toString());
    assertTrue(err.toString().contains("8x8"), "a note says the input was resized: " + err);
    assertTrue(Files.isRegularFile(out));
    try (var files = Files.list(outDir)) {
      Path only = files.findFirst().orElseThrow();
      assertEquals(16, ImageIO.read(only.toFile()).getWidth(), "one upscaled sample per file: " + only);
    }
  }

  @Test
  void evalComparesWithBicubicAndTheFirstStageCeiling() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    MetricsReport report = ModelEvaluation.run(export, new ModelEvaluation.Options(3, 2, 0, "builtin", null, null,
        List.of(), null), dir.resolve("metrics.json"), new PrintStream(bytes, true, StandardCharsets.UTF_8));
    String printed = bytes.toString(StandardCharsets.UTF_8);
    assertTrue(printed.contains("8x8 -> 16x16, 3 held-out images (DDIM 2 steps, eta 1)"), printed);
    assertTrue(printed.contains("consistency") && printed.contains("SWD"), printed);
    for (String name : List.of("model", "model_no_backprojection", "bicubic", "vqgan_reconstruction")) {
      double psnr = report.value("sr_psnr_" + name);
      assertTrue(psnr > 0 && psnr < 100, name + ": " + psnr);
      assertTrue(report.value("sr_swd_" + name) >= 0, name);
      assertTrue(printed.contains(name.replace('_', ' ')), name + " is printed: " + printed);
    }
    // Even a model trained for 2 steps explains its input once back-projected.
    double consistency = report.value("sr_consistency_psnr_model");
    assertTrue(consistency >= 45, "back-projected: " + consistency + " dB");
    assertTrue(consistency > report.value("sr_consistency_psnr_model_no_backprojection") + 10);
    assertEquals(3, ((Number) report.entries().get("sr_samples")).intValue());
    assertTrue(Files.readString(dir.resolve("metrics.json")).contains("sr_ssim_bicubic"));
  }

  @Test
  void aMissingOrMismatchingFirstStageIsAConfigError() throws Exception {
    Path missing = dir.resolve("missing.pbtxt");
    Files.writeString(missing, SR.formatted(dir.resolve("nowhere").toString().replace("\\", "/")));
    ConfigException e = assertThrows(ConfigException.class,
        () -> DiffusionTraining.run(new TrainingRequest(missing, "builtin", dir.resolve("r1"), 1L), QUIET));
    assertTrue(e.getMessage().contains("super_resolution.first_stage"), e.getMessage());
    Path mismatch = dir.resolve("mismatch.pbtxt");
    Files.writeString(mismatch, SR.formatted(firstStageExport.toString().replace("\\", "/"))
        .replace("latent_shape: [3, 4, 4]", "latent_shape: [3, 8, 8]"));
    ConfigException m = assertThrows(ConfigException.class,
        () -> DiffusionTraining.run(new TrainingRequest(mismatch, "builtin", dir.resolve("r2"), 1L), QUIET));
    assertTrue(m.getMessage().contains("latent_shape"), m.getMessage());
  }
}
