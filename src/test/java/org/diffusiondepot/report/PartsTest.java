package org.diffusiondepot.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.TextFormat;
import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.diffusiondepot.proto.ExperimentConfig;
import org.diffusiondepot.proto.ModelCard;
import org.diffusiondepot.proto.Task;
import org.diffusiondepot.task.Conditioning;
import org.diffusiondepot.task.DiffusionTask;
import org.junit.jupiter.api.Test;

/** The small pieces of the report: panels, latent models, metrics parsing, chain positions, HTML escaping. */
class PartsTest {
  /** A task from config text alone (not validated: the report asks tasks of any export). */
  static DiffusionTask task(String text) throws TextFormat.ParseException {
    ExperimentConfig.Builder config = ExperimentConfig.newBuilder();
    TextFormat.merge(text, config);
    return DiffusionTask.of(config.build(), List.of(), null);
  }

  @Test
  void superResolutionPanelsShowLowResBicubicOutputAndTruth() throws Exception {
    int size = 16;
    int low = 4;
    DiffusionTask sr = task("task: SUPER_RESOLUTION data { resolution: 16 channels: 3 } "
        + "super_resolution { downscale: 4 } latent_shape: [3, 4, 4]");
    float[] lowRes = new float[2 * low * low * 3];
    float[] output = new float[2 * size * size * 3];
    float[] truth = new float[2 * size * size * 3];
    Arrays.fill(lowRes, -0.5f);
    Arrays.fill(output, 0.9f);
    Arrays.fill(truth, 0.2f);
    var panels = sr.panels(output, Conditioning.ofLowRes(lowRes), 2);
    assertEquals(List.of("low-res", "bicubic", "output"), panels.columns());
    BufferedImage grid = HeldOutPanels.render(panels, truth, size, 3);
    int tile = size * LabeledGrid.scaleFor(size);
    assertTrue(grid.getWidth() >= 4 * tile && grid.getHeight() >= 2 * tile, grid.getWidth() + "x" + grid.getHeight());
    // Low-res and its bicubic upscale (a flat image stays flat), output and truth, each in its own colour.
    for (float value : new float[] {-0.5f, 0.9f, 0.2f}) {
      int grey = Math.round((value + 1) / 2 * 255);
      assertTrue(hasColour(grid, grey), "a tile of value " + value);
    }
    assertThrows(IllegalArgumentException.class, () -> HeldOutPanels.render(panels, lowRes, size, 3));
  }

  private static boolean hasColour(BufferedImage image, int grey) {
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        int rgb = image.getRGB(x, y);
        if (Math.abs((rgb & 0xff) - grey) <= 1 && Math.abs(((rgb >> 8) & 0xff) - grey) <= 1
            && Math.abs(((rgb >> 16) & 0xff) - grey) <= 1) {
          return true;
        }
      }
    }
    return false;
  }

  @Test
  void latentModelsAreToldApart() throws Exception {
    ModelCard pixels = ModelCard.newBuilder().setTask(Task.UNCONDITIONAL).setImageSize(32).setModelSize(32)
        .setImageChannels(3).setModelChannels(3).build();
    ModelCard latentSr = pixels.toBuilder().setTask(Task.SUPER_RESOLUTION).setImageSize(512).setModelSize(64)
        .setModelChannels(4).build();
    DiffusionTask unconditional = task("task: UNCONDITIONAL data { resolution: 32 channels: 3 }");
    DiffusionTask sr = task("task: SUPER_RESOLUTION data { resolution: 512 channels: 3 } "
        + "super_resolution { downscale: 4 } latent_shape: [4, 64, 64]");
    assertNull(TaskSampling.unsupported(pixels, unconditional));
    assertFalse(TaskSampling.latent(pixels));
    assertFalse(TaskSampling.latent(unconditional));
    assertTrue(TaskSampling.latent(latentSr));
    assertTrue(TaskSampling.latent(sr));
    assertNull(TaskSampling.unsupported(latentSr, sr), "super-resolution decodes its latents");
    assertNotNull(TaskSampling.unsupported(latentSr.toBuilder().setTask(Task.UNCONDITIONAL).build(),
        task("task: UNCONDITIONAL data { resolution: 512 channels: 3 }")), "latents its task does not decode");
    assertNotNull(TaskSampling.unsupported(pixels.toBuilder().setTask(Task.FIRST_STAGE).build(), null));
  }

  @Test
  void oneExampleIsCutFromTheConditioningOfMany() {
    Conditioning two = new Conditioning(new int[] {4, 5}, new float[] {1, 2, 3, 4, 5, 6}, new float[] {0, 1},
        null);
    Conditioning second = TaskSampling.one(two, 1, 2);
    assertArrayEquals(new int[] {5}, second.labels());
    assertArrayEquals(new float[] {4, 5, 6}, second.image());
    assertArrayEquals(new float[] {1}, second.mask());
    assertNull(second.lowRes());
  }

  @Test
  void metricsJsonIsAFlatObject() {
    Map<String, Object> m = FlatJson.parse("{\"fid\": 12.5, \"fid_samples\": 1000, \"name\": \"a\\\"b\", "
        + "\"ok\": true, \"none\": null, \"nested\": {\"x\": [1, 2]}, \"neg\": -1e-3}");
    assertEquals(12.5, m.get("fid"));
    assertEquals(1000.0, m.get("fid_samples"));
    assertEquals("a\"b", m.get("name"));
    assertEquals(Boolean.TRUE, m.get("ok"));
    assertTrue(m.containsKey("none"));
    assertEquals("{\"x\": [1, 2]}", m.get("nested"));
    assertEquals(-1e-3, m.get("neg"));
    assertEquals(List.of(List.of("fid", "12.5", "1000"), List.of("name", "a\"b", ""), List.of("ok", "true", ""),
        List.of("none", "null", ""), List.of("nested", "{\"x\": [1, 2]}", ""), List.of("neg", "-0.001", "")),
        MetricsSection.rows(m));
    assertThrows(IllegalArgumentException.class, () -> FlatJson.parse("[1, 2]"));
    assertThrows(IllegalArgumentException.class, () -> FlatJson.parse("{\"a\": 1"));
  }

  @Test
  void samplerSweepEntriesBecomeOneCurvePerSamplerOverEvaluations() {
    Map<String, Object> m = FlatJson.parse("{\"swd\": 40, \"sweep_heun_5_swd\": 60.5, \"sweep_heun_5_evaluations\": 9, "
        + "\"sweep_heun_5_swd_samples\": 128, \"sweep_ddim-eta1_10_swd\": 70, \"sweep_ddim-eta1_5_swd\": 90, "
        + "\"sweep_ddim-eta1_5_accuracy\": 0.5}");
    var swd = SamplerSweepFigures.curves(m, "swd");
    assertEquals(List.of("heun", "ddim-eta1"), List.copyOf(swd.keySet()));
    assertEquals(Map.of(9.0, 60.5), swd.get("heun"));
    assertEquals(List.of(5.0, 10.0), List.copyOf(swd.get("ddim-eta1").keySet()), "steps when no evaluations are given");
    assertEquals(Map.of(5.0, 0.5), SamplerSweepFigures.curves(m, "accuracy").get("ddim-eta1"));
  }

  @Test
  void chainPositionsAreSpreadAndIncludeBothEnds() {
    assertArrayEquals(new int[] {0, 14, 28, 42, 57, 71, 85, 99}, ChainRecorder.evenly(100, 8));
    assertArrayEquals(new int[] {0, 1, 2}, ChainRecorder.evenly(3, 8));
    assertArrayEquals(new int[] {0}, ChainRecorder.evenly(1, 8));
  }

  @Test
  void theRecorderKeepsCopiesOfTheChosenSteps() {
    ChainRecorder r = new ChainRecorder(new int[] {0, 2}, 1, 2);
    float[] x = {1, 2, 9, 9};
    r.onStep(0, 3, 999, x, new float[] {5, 6, 9, 9});
    x[0] = 7;
    r.onStep(1, 3, 500, x, x);
    r.onStep(2, 3, 0, new float[] {3, 4, 9, 9}, new float[] {3, 4, 9, 9});
    r.onStep(0, 3, 999, new float[] {8, 8, 8, 8}, x);  // a second chunk is ignored
    assertArrayEquals(new int[] {999, 0}, r.timesteps());
    assertArrayEquals(new float[] {1, 2}, r.state(0));
    assertArrayEquals(new float[] {5, 6}, r.prediction(0));
    assertArrayEquals(new float[] {3, 4}, r.state(1));
  }

  @Test
  void textIsEscaped() {
    HtmlPage page = new HtmlPage("<t>");
    page.openSection("s", "a & b");
    page.note("use `x < y` here");
    page.closeSection();
    String html = page.render();
    assertTrue(html.contains("<title>&lt;t&gt;</title>"));
    assertTrue(html.contains("<h2>a &amp; b</h2>"));
    assertTrue(html.contains("use <code>x &lt; y</code> here"));
  }

  @Test
  void numbersAreShort() {
    assertEquals("0.0001", Numbers.exact(1e-4));
    assertEquals("0.02", Numbers.exact(0.02));
    assertEquals("1E-10", Numbers.exact(1e-10));
    assertEquals("3", Numbers.exact(3.0));
    assertEquals("2.43e-09", Numbers.brief(2.4289e-9));
    assertEquals("0.895", Numbers.brief(0.89512));
    assertEquals("24200", Numbers.brief(24213.7));
  }
}
