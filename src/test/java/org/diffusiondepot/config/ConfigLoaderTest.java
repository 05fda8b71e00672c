package org.diffusiondepot.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.diffusiondepot.firststage.FirstStageSpec;
import org.diffusiondepot.proto.ExperimentConfig;
import org.diffusiondepot.proto.Task;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  static final String GOOD = """
      name: "t" task: UNCONDITIONAL
      model { base_channels: 8 channel_mults: [1, 2] attention_resolutions: [8] block: RESNET_3X3 }
      diffusion { beta_schedule: LINEAR variance: SAME }
      data { resolution: 16 }
      train { batch_size: 2 iterations: 10 }
      """;

  @Test
  void fillsTheSeedDefaults() {
    ExperimentConfig c = ConfigLoader.parse(GOOD, "good.pbtxt");
    assertEquals(Task.UNCONDITIONAL, c.getTask());
    assertEquals(1000, c.getDiffusion().getTimesteps());
    assertEquals(1e-4, c.getDiffusion().getBetaStart(), 0);
    assertEquals(0.02, c.getDiffusion().getBetaEnd(), 0);
    assertEquals(1e-4, c.getTrain().getLearningRate(), 0);
    assertEquals(1e-10, c.getTrain().getMinLearningRate(), 0);
    assertEquals(0.9999, c.getTrain().getEmaDecay(), 0);
    assertTrue(c.getData().getRandomFlip());
    assertTrue(c.getDiffusion().getClipDenoised());
  }

  @Test
  void badValuesNameTheFileAndField() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> ConfigLoader.parse(GOOD.replace("base_channels: 8", "base_channels: 0"), "graphs/x.pbtxt"));
    assertTrue(e.getMessage().startsWith("graphs/x.pbtxt: model.base_channels: expected a positive integer"),
        e.getMessage());
    e = assertThrows(ConfigException.class,
        () -> ConfigLoader.parse(GOOD.replace("attention_resolutions: [8]", "attention_resolutions: [5]"), "c"));
    assertTrue(e.getMessage().contains("model.attention_resolutions") && e.getMessage().contains("[16, 8]"),
        e.getMessage());
    e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(GOOD.replace("variance: SAME", ""), "c"));
    assertTrue(e.getMessage().contains("diffusion.variance: expected SAME"), e.getMessage());
    e = assertThrows(ConfigException.class,
        () -> ConfigLoader.parse(GOOD.replace("iterations: 10", "iterations: 10 min_learning_rate: 0.1"), "c"));
    assertTrue(e.getMessage().contains("train.min_learning_rate"), e.getMessage());
    e = assertThrows(ConfigException.class,
        () -> ConfigLoader.parse(GOOD.replace("task: UNCONDITIONAL", "task: CLASS_CONDITIONAL"), "c"));
    assertTrue(e.getMessage().contains("classes.num_classes"), e.getMessage());
  }

  /** A recomputed block would draw a second dropout mask, so the two settings exclude each other. */
  @Test
  void recomputationRefusesDropout() {
    String recompute = GOOD.replace("iterations: 10", "iterations: 10 recompute: true");
    assertTrue(ConfigLoader.parse(recompute, "c").getTrain().getRecompute());
    ConfigException e = assertThrows(ConfigException.class,
        () -> ConfigLoader.parse(recompute.replace("block: RESNET_3X3", "block: RESNET_3X3 dropout: 0.1"), "c"));
    assertTrue(e.getMessage().startsWith("c: train.recompute: expected model.dropout 0"), e.getMessage());
  }

  @Test
  void taskSettingsThatWouldOnlyFailInTrainingFailAtLoad() {
    // 0.3 and 0.3005 of 16x16 pixels are 76.8 and 76.9: no mask has a whole number of pixels between them
    String inpainting = GOOD.replace("task: UNCONDITIONAL", "task: INPAINTING")
        + "inpainting { min_mask_ratio: 0.3 max_mask_ratio: %s }";
    ConfigException e = assertThrows(ConfigException.class,
        () -> ConfigLoader.parse(inpainting.formatted("0.3005"), "c"));
    assertTrue(e.getMessage().startsWith("c: inpainting.max_mask_ratio: expected a range") && e.getMessage()
        .contains("a multiple of 1/256"), e.getMessage());
    assertEquals(0.31, ConfigLoader.parse(inpainting.formatted("0.31"), "c").getInpainting().getMaxMaskRatio());
    e = assertThrows(ConfigException.class,
        () -> ConfigLoader.parse(inpainting.formatted("0.31 resamplings: -1"), "c"));
    assertTrue(e.getMessage().startsWith("c: inpainting.resamplings: expected") && e.getMessage().endsWith("got -1"),
        e.getMessage());
    assertEquals(10, ConfigLoader.parse(inpainting.formatted("0.31 resamplings: 10"), "c").getInpainting()
        .getResamplings());

    String superResolution = """
        name: "sr" task: SUPER_RESOLUTION
        model { base_channels: 8 channel_mults: [1, 2] block: RESNET_3X3 }
        diffusion { beta_schedule: LINEAR variance: SAME }
        data { resolution: 16 }
        train { batch_size: 2 iterations: 10 }
        super_resolution { downscale: 2 blur_sigma: %s first_stage: "vq" }
        latent_shape: [4, 8, 8]
        """;
    e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(superResolution.formatted("-0.5"), "c"));
    assertTrue(e.getMessage().startsWith("c: super_resolution.blur_sigma: expected 0 (no blur)"), e.getMessage());
    assertEquals(0.5, ConfigLoader.parse(superResolution.formatted("0.5"), "c").getSuperResolution().getBlurSigma());
  }

  @Test
  void theFirstStageTakesItsGroupNormGroupsFromTheConfig() {
    String vqgan = """
        name: "vq" task: FIRST_STAGE
        data { resolution: 16 }
        first_stage { factor: 4 base_channels: 8 channel_mults: [1, 1, 2] blocks_per_level: 1 latent_channels: 3
                      embedding_dim: 3 codebook_size: 16 %s }
        train { batch_size: 2 iterations: 10 }
        """;
    assertEquals(32, FirstStageSpec.fromConfig(ConfigLoader.parse(vqgan.formatted(""), "c")).groups(), "taming's");
    assertEquals(2, FirstStageSpec.fromConfig(ConfigLoader.parse(vqgan.formatted("group_norm_groups: 2"), "c"))
        .groups());
    ConfigException e = assertThrows(ConfigException.class,
        () -> ConfigLoader.parse(vqgan.formatted("group_norm_groups: -2"), "c"));
    assertTrue(e.getMessage().startsWith("c: first_stage.group_norm_groups: expected"), e.getMessage());
  }

  @Test
  void syntaxErrorsGiveFileLineAndColumn() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> ConfigLoader.parse(GOOD.replace("data { resolution: 16 }", "data { resolutoin: 16 }"), "my.pbtxt"));
    assertTrue(e.getMessage().startsWith("my.pbtxt:4:"), e.getMessage());
    assertTrue(e.getMessage().contains("resolutoin"), e.getMessage());
  }

  @Test
  void missingFileIsNamed(@TempDir Path dir) {
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(dir.resolve("nope.pbtxt")));
    assertTrue(e.getMessage().contains("nope.pbtxt: no such config file"), e.getMessage());
  }

  @Test
  void loadsFromDisk(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("c.pbtxt");
    Files.writeString(f, GOOD);
    assertEquals("t", ConfigLoader.load(f).getName());
  }
}
