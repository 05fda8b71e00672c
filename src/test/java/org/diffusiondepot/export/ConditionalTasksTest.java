package org.diffusiondepot.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.diffusiondepot.config.ConfigLoader;
import org.diffusiondepot.diffusion.Denoiser;
import org.diffusiondepot.eval.MetricsReport;
import org.diffusiondepot.eval.ModelEvaluation;
import org.diffusiondepot.proto.ModelCard;
import org.diffusiondepot.sampler.DepotModel;
import org.diffusiondepot.sampler.Samples;
import org.diffusiondepot.sampler.Sampling;
import org.diffusiondepot.sampler.SamplingException;
import org.diffusiondepot.sampler.cli.SampleCli;
import org.diffusiondepot.train.DiffusionTraining;
import org.diffusiondepot.train.TrainingRequest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Class-conditional and inpainting models train, export with their task, and sample. */
class ConditionalTasksTest {
  static final String COMMON = """
      model { base_channels: 8 channel_mults: [1, 2] blocks_per_level: 1 block: RESNET_3X3 group_norm_groups: 4 middle_attention: false }
      diffusion { beta_schedule: LINEAR variance: SAME }
      data { resolution: 8 }
      train { batch_size: 4 iterations: 10 sample_count: 3 sample_steps: 2 }
      """;
  static final String CFG = "name: \"cfg\" task: CLASS_CONDITIONAL classes { num_classes: 3 classifier_free_guidance: true }\n" + COMMON;
  static final String NO_CFG = "name: \"nocfg\" task: CLASS_CONDITIONAL classes { num_classes: 3 }\n" + COMMON;
  static final String INPAINT = "name: \"inp\" task: INPAINTING inpainting { min_mask_ratio: 0.2 max_mask_ratio: 0.4 }\n" + COMMON;

  @TempDir static Path dir;
  static Path cfg;
  static Path noCfg;
  static Path inpaint;

  @BeforeAll
  static void trainAndExport() throws Exception {
    cfg = trainAndExport("cfg", CFG);
    noCfg = trainAndExport("nocfg", NO_CFG);
    inpaint = trainAndExport("inp", INPAINT);
  }

  static Path trainAndExport(String name, String config) throws Exception {
    Path file = dir.resolve(name + ".pbtxt");
    Files.writeString(file, config);
    PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    DiffusionTraining.run(new TrainingRequest(file, "builtin", dir.resolve(name), 2L), quiet);
    Exporter.export(dir.resolve(name), dir.resolve(name + "-export"), quiet);
    return dir.resolve(name + "-export");
  }

  @Test
  void conditioningWidensTheUNetInput() {
    assertEquals(3, Denoiser.fromConfig(ConfigLoader.parse(CFG, "c")).spec().inChannels());
    assertEquals(3, Denoiser.fromConfig(ConfigLoader.parse(CFG, "c")).spec().numClasses());
    assertEquals(7, Denoiser.fromConfig(ConfigLoader.parse(INPAINT, "c")).spec().inChannels(), "x_t, masked image, mask");
    assertEquals(3, Denoiser.fromConfig(ConfigLoader.parse(INPAINT, "c")).spec().outChannels());
  }

  @Test
  void classNamesTravelFromTheDataToTheExport() throws Exception {
    try (DepotModel model = DepotModel.load(cfg)) {
      ModelCard card = model.card();
      assertEquals(List.of("circle", "square", "triangle"), card.getClassNamesList());
      assertTrue(card.getClassifierFreeGuidance());
      assertEquals(3, card.getNullClass());
      Samples s = model.sampling().count(3).ddim(3).classLabels(2, 0, 1).guidance(4.0).run();
      assertEquals(List.of(2, 0, 1), java.util.Arrays.stream(s.labels()).boxed().toList());
    }
  }

  @Test
  void guidanceIsRefusedForAModelTrainedWithoutIt() throws Exception {
    try (DepotModel model = DepotModel.load(noCfg)) {
      SamplingException e = assertThrows(SamplingException.class,
          () -> model.sampling().count(1).ddim(2).guidance(3.0).run());
      assertTrue(e.getMessage().contains("without classifier-free guidance"), e.getMessage());
      model.sampling().count(1).ddim(2).guidance(1.0).run();
    }
  }

  @Test
  void cliClassOptions() {
    Outcome all = run("--model", cfg.toString(), "--class", "all", "--num", "2", "--steps", "2",
        "--out", dir.resolve("all.png").toString());
    assertEquals(0, all.code(), all.err());
    Outcome unknown = run("--model", cfg.toString(), "--class", "horse", "--out", dir.resolve("h.png").toString());
    assertEquals(2, unknown.code());
    assertTrue(unknown.err().contains("valid classes: circle, square, triangle"), unknown.err());
    Outcome byIndex = run("--model", cfg.toString(), "--class", "1", "--num", "1", "--steps", "2", "--guidance", "0",
        "--out", dir.resolve("i.png").toString());
    assertEquals(0, byIndex.code(), byIndex.err());
  }

  @Test
  void inpaintingKeepsKnownPixelsExactly() throws Exception {
    try (DepotModel model = DepotModel.load(inpaint)) {
      int n = 8 * 8;
      float[] image = new float[n * 3];
      float[] mask = new float[n];
      for (int i = 0; i < image.length; i++) {
        image[i] = (i % 7) / 3.5f - 1f;
      }
      for (int p = 0; p < n; p++) {
        mask[p] = (p % 8 >= 2 && p % 8 < 6 && p / 8 >= 3) ? 1f : 0f;
      }
      Samples s = model.sampling().count(2).ddim(3).inpaint(image, mask).seed(3).run();
      int changed = 0;
      for (int k = 0; k < 2; k++) {
        float[] out = s.sample(k);
        for (int p = 0; p < n; p++) {
          for (int c = 0; c < 3; c++) {
            if (mask[p] == 0f) {
              assertEquals(image[p * 3 + c], out[p * 3 + c], 0f, "known pixel " + p);
            } else if (out[p * 3 + c] != image[p * 3 + c]) {
              changed++;
            }
          }
        }
      }
      assertTrue(changed > 0, "the hole is generated");

      // --resamplings: every DDIM step but the last retaken 3 times, the known pixels still exact
      Sampling resampled = model.sampling().count(1).ddim(3).inpaint(image, mask).seed(3).resamplings(3);
      assertEquals(3, resampled.passes());
      int[] calls = new int[1];
      Samples r = resampled.run(org.diffusiondepot.sampler.StepListener.everyEvaluation(() -> calls[0]++));
      assertEquals(3 * (3 - 1) + 1, calls[0], "network calls");
      assertEquals(calls[0], resampled.chainLength());
      for (int p = 0; p < n; p++) {
        if (mask[p] == 0f) {
          assertEquals(image[p * 3], r.sample(0)[p * 3], 0f, "known pixel " + p);
        }
      }
    }
    try (DepotModel classModel = DepotModel.load(cfg)) {
      SamplingException e = assertThrows(SamplingException.class, () -> classModel.sampling().resamplings(2));
      assertTrue(e.getMessage().contains("inpainting"), e.getMessage());
    }
  }

  @Test
  void inpaintingCliChecksItsInputs() throws Exception {
    Path image = dir.resolve("in.png");
    Path mask = dir.resolve("mask.png");
    Path smallMask = dir.resolve("small-mask.png");
    Path emptyMask = dir.resolve("empty-mask.png");
    ImageIO.write(new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB), "png", image.toFile());
    BufferedImage m = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
    m.setRGB(4, 4, 0xffffff);
    m.setRGB(5, 4, 0xffffff);
    ImageIO.write(m, "png", mask.toFile());
    ImageIO.write(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB), "png", smallMask.toFile());
    ImageIO.write(new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB), "png", emptyMask.toFile());
    Outcome ok = run("--model", inpaint.toString(), "--image", image.toString(), "--mask", mask.toString(),
        "--num", "1", "--steps", "2", "--out", dir.resolve("filled.png").toString());
    assertEquals(0, ok.code(), ok.err());
    assertTrue(ok.err().contains("note: resizing"), ok.err());
    Outcome wrongSize = run("--model", inpaint.toString(), "--image", image.toString(), "--mask", smallMask.toString(),
        "--out", dir.resolve("x.png").toString());
    assertEquals(2, wrongSize.code());
    assertTrue(wrongSize.err().contains("must have the same size"), wrongSize.err());
    Outcome empty = run("--model", inpaint.toString(), "--image", image.toString(), "--mask", emptyMask.toString(),
        "--out", dir.resolve("y.png").toString());
    assertEquals(2, empty.code());
    assertTrue(empty.err().contains("is empty"), empty.err());
    Outcome missing = run("--model", inpaint.toString(), "--out", dir.resolve("z.png").toString());
    assertEquals(2, missing.code());
    assertTrue(missing.err().contains("needs both --image"), missing.err());
    Path absent = dir.resolve("absent.png");
    Outcome noFile = run("--model", inpaint.toString(), "--image", absent.toString(), "--mask", mask.toString(),
        "--out", dir.resolve("w.png").toString());
    assertEquals(2, noFile.code(), noFile.err());
    assertEquals("error: no such file: " + absent, noFile.err().strip());
  }

  @Test
  void evalMeasuresTheHoleAgainstMeanAndBlurFill() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    org.diffusiondepot.eval.MetricsReport report = org.diffusiondepot.eval.ModelEvaluation.run(inpaint,
        new org.diffusiondepot.eval.ModelEvaluation.Options(3, 2, 0, "builtin", null, null, List.of(), null),
        dir.resolve("inpaint-metrics.json"), new PrintStream(bytes, true, StandardCharsets.UTF_8));
    String printed = bytes.toString(StandardCharsets.UTF_8);
    assertTrue(printed.contains("3 held-out images"), printed);
    assertTrue(printed.contains(", DDIM 2 steps, eta 1:"), printed);
    assertTrue(printed.contains("PSNR dB") && printed.contains("SWD"), printed);
    int at = 0;
    for (String row : List.of("\n  model ", "\n  mean of 8 ", "\n  mean fill ", "\n  blur fill ")) {
      at = printed.indexOf(row, at);
      assertTrue(at >= 0, row.strip() + " row, in this order: " + printed);
    }
    for (String name : List.of("model", "posterior_mean", "mean_fill", "blur_fill")) {
      double psnr = report.value("hole_psnr_" + name);
      assertTrue(psnr > 0 && psnr < 100, name + ": " + psnr);
    }
    assertTrue(report.value("hole_psnr_posterior_mean") != report.value("hole_psnr_model"),
        "the mean of 8 fills is not one fill");
    assertEquals(3, ((Number) report.entries().get("hole_samples")).intValue());
    ByteArrayOutputStream sde = new ByteArrayOutputStream();
    MetricsReport other = ModelEvaluation.run(inpaint, new ModelEvaluation.Options(3,
        new ModelEvaluation.Chain(Sampling.Method.DPMPP_2M_SDE, 3, 0), 0, "builtin", null, null, List.of(), null,
        null, List.of()), dir.resolve("inpaint-sde.json"), new PrintStream(sde, true, StandardCharsets.UTF_8));
    assertTrue(sde.toString(StandardCharsets.UTF_8).contains(", DPM-Solver++(2M) SDE 3 steps:"), sde.toString());
    assertEquals(report.value("hole_psnr_blur_fill"), other.value("hole_psnr_blur_fill"), "the same holes");
    assertTrue(report.value("hole_psnr_model") != other.value("hole_psnr_model"), "another sampler's fill");
  }

  /**
   * The sampler sweep: every sampler at every step count gets an SWD, a class accuracy and its
   * network evaluations; ddim with eta 1 and 0 start from the same noise but are different chains.
   */
  @Test
  void evalSweepScoresEverySamplerAtEveryStepCount() throws Exception {
    var data = org.diffusiondepot.run.TrainingData.open("builtin", ConfigLoader.parse(CFG, "cfg"));
    Path saved = dir.resolve("sweep-classifier");
    try (var classifier = org.diffusiondepot.eval.ShapeClassifier.train(data.dataset(), data.split().train(), 3, 8,
        0, step -> { })) {
      classifier.save(saved);
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    MetricsReport report = ModelEvaluation.run(cfg, new ModelEvaluation.Options(3, ModelEvaluation.Chain.ddim(2), 0, "builtin", null, saved,
        List.of(), null, null, List.of(2, 3)), dir.resolve("sweep.json"), new PrintStream(bytes, true,
        StandardCharsets.UTF_8));
    String printed = bytes.toString(StandardCharsets.UTF_8);
    for (String sampler : List.of("ddim-eta1", "ddim-eta0", "dpmpp2m", "dpmpp2m-sde", "heun")) {
      for (int k : new int[] {2, 3}) {
        String key = "sweep_" + sampler + "_" + k;
        double swd = report.value(key + "_swd");
        double accuracy = report.value(key + "_accuracy");
        assertTrue(swd > 0 && Double.isFinite(swd), key + " swd " + swd);
        assertTrue(accuracy >= 0 && accuracy <= 1, key + " accuracy " + accuracy);
        int evaluations = ((Number) report.entries().get(key + "_evaluations")).intValue();
        assertEquals(sampler.equals("heun") ? 2 * k - 1 : k, evaluations, key);
        assertEquals(3, ((Number) report.entries().get(key + "_swd_samples")).intValue(), key);
        assertTrue(printed.contains("| " + sampler + " | " + k + " | " + evaluations + " | "), printed);
      }
    }
    double real = report.value("classifier_accuracy_real");
    assertTrue(real >= 0 && real <= 1 && printed.contains("classifier accuracy on "), printed);
    assertTrue(report.value("sweep_ddim-eta1_3_swd") != report.value("sweep_ddim-eta0_3_swd"),
        "eta 1 and eta 0 are different chains");
    assertTrue(printed.contains("| sampler | steps | network evaluations | SWD x1e3 | class accuracy |"), printed);
    assertTrue(!printed.contains("guidance 0:"), "a sweep replaces the task's own metrics: " + printed);
  }

  @Test
  void evalSweepIsRefusedForInpainting() {
    var e = assertThrows(org.diffusiondepot.runtime.OptionException.class, () -> ModelEvaluation.run(inpaint,
        new ModelEvaluation.Options(3, ModelEvaluation.Chain.ddim(2), 0, "builtin", null, null, List.of(), null, null,
            List.of(2)),
        dir.resolve("refused.json"), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)));
    assertTrue(e.getMessage().contains("--sweep compares samplers on unconditional and class-conditional models"),
        e.getMessage());
  }

  record Outcome(int code, String out, String err) {}

  static Outcome run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = SampleCli.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Outcome(code, out.toString(), err.toString());
  }
}
