package org.diffusiondepot.sampler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.diffusiondepot.config.ConfigLoader;
import org.diffusiondepot.proto.DiffusionConfig;
import org.diffusiondepot.proto.ModelCard;
import org.diffusiondepot.proto.Task;
import org.diffusiondepot.proto.VarianceType;
import org.diffusiondepot.schedule.NoiseSchedule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model cards in both layouts: the current one with {@code diffusion}, and the one written before
 * it, with the diffusion settings copied into fields 7-14, which must keep loading and sampling
 * with the same schedule.
 */
class ModelCardsTest {
  @TempDir Path dir;

  /** A card as exporters before ModelCard.diffusion wrote it: every setting stated, defaults filled. */
  static final String OLD_COSINE_CARD = """
      name: "celeb"
      task: UNCONDITIONAL
      image_size: 8
      image_channels: 3
      model_size: 8
      model_channels: 3
      timesteps: 1000
      beta_schedule: COSINE
      beta_start: 1.0E-4
      beta_end: 0.02
      cosine_offset: 0.008
      max_beta: 0.999
      variance: TRUE
      clip_denoised: true
      trained_steps: 5
      parameters: 1234
      source_config: "name: \\"celeb\\"\\n"
      denoise_signature: "denoise"
      created: "2026-11-30T10:00:00Z"
      """;

  /** The same config through today's loader: the effective settings a new card stores. */
  static DiffusionConfig effective(String diffusion) {
    return ConfigLoader.parse("""
        name: "celeb" task: UNCONDITIONAL
        model { base_channels: 8 channel_mults: [1, 2] block: RESNET_3X3 }
        diffusion { %s }
        data { resolution: 8 }
        train { batch_size: 2 iterations: 10 }
        """.formatted(diffusion), "test config").getDiffusion();
  }

  private ModelCard readText(String name, String text) throws Exception {
    Path export = dir.resolve(name);
    Files.createDirectories(export);
    Files.writeString(export.resolve(ModelCards.FILE), text);
    return ModelCards.read(export);
  }

  private ModelCard roundTrip(String name, ModelCard card) throws Exception {
    Path export = dir.resolve(name);
    Files.createDirectories(export);
    ModelCards.write(card, export);
    return ModelCards.read(export);
  }

  @Test
  void anOldCardLoadsWithTheSameScheduleAsANewCard() throws Exception {
    ModelCard old = readText("old", OLD_COSINE_CARD);
    ModelCard current = roundTrip("new", old.toBuilder().setDiffusion(effective("beta_schedule: COSINE variance: TRUE"))
        .build());
    assertEquals(current.getDiffusion(), old.getDiffusion());
    NoiseSchedule fromOld = NoiseSchedule.fromConfig(old.getDiffusion());
    NoiseSchedule fromNew = NoiseSchedule.fromConfig(current.getDiffusion());
    // abar_t = prod_{s<=t} (1 - beta_s): identical betas give bit-identical tables
    assertArrayEquals(fromNew.alphasCumprod(), fromOld.alphasCumprod(), 0.0);
    assertArrayEquals(fromNew.posteriorVariance(), fromOld.posteriorVariance(), 0.0);
    assertEquals(VarianceType.TRUE, fromOld.varianceType());
    assertTrue(old.getDiffusion().getClipDenoised());
    assertEquals(current, old, "after reading, an old card is a card in the current layout");
  }

  @Test
  void anOldLinearCardWithoutClippingKeepsItsSettings() throws Exception {
    // proto3 omits a false bool, so an old card that did not clip has no clip_denoised line
    String text = OLD_COSINE_CARD.replace("beta_schedule: COSINE", "beta_schedule: LINEAR")
        .replace("variance: TRUE", "variance: SAME").replace("clip_denoised: true\n", "");
    ModelCard old = readText("linear", text);
    DiffusionConfig expected = effective("beta_schedule: LINEAR variance: SAME clip_denoised: false");
    assertEquals(expected, old.getDiffusion());
    assertTrue(old.getDiffusion().hasClipDenoised() && !old.getDiffusion().getClipDenoised());
    assertArrayEquals(NoiseSchedule.fromConfig(expected).alphasCumprod(),
        NoiseSchedule.fromConfig(old.getDiffusion()).alphasCumprod(), 0.0);
  }

  @Test
  @SuppressWarnings("deprecation")
  void readingClearsTheDeprecatedFields() throws Exception {
    ModelCard old = readText("cleared", OLD_COSINE_CARD);
    assertEquals(0, old.getTimesteps());
    assertEquals(0.0, old.getBetaStart(), 0.0);
    assertFalse(old.getClipDenoised());
    assertEquals("", old.getDenoiseSignature());
  }

  @Test
  void aNewCardRoundTrips() throws Exception {
    ModelCard card = ModelCard.newBuilder().setName("class_demo").setTask(Task.CLASS_CONDITIONAL).setImageSize(32)
        .setImageChannels(3).setModelSize(32).setModelChannels(3)
        .setDiffusion(effective("beta_schedule: LINEAR variance: SAME timesteps: 200"))
        .addClassNames("circle").addClassNames("square").setClassifierFreeGuidance(true).setGuidanceScale(3.0)
        .setNullClass(2).setTrainedSteps(2000).setParameters(1_600_000).setSourceConfig("name: \"class_demo\"\n")
        .setCreated("2026-12-01T08:00:00Z").build();
    assertEquals(card, roundTrip("roundtrip", card));
    String text = Files.readString(dir.resolve("roundtrip").resolve(ModelCards.FILE));
    assertTrue(text.contains("diffusion {\n  timesteps: 200\n"), text);
  }

  @Test
  void aFirstStageCardHasNoDiffusionSettingsAndCannotBeSampled() throws Exception {
    String text = """
        name: "vqgan"
        task: FIRST_STAGE
        image_size: 32
        image_channels: 3
        model_size: 4
        model_channels: 4
        latent_scale: 0.8
        first_stage_factor: 8
        """;
    assertFalse(readText("vqgan", text).hasDiffusion());
    SamplingException e = assertThrows(SamplingException.class, () -> DepotModel.load(dir.resolve("vqgan")));
    assertTrue(e.getMessage().contains("FIRST_STAGE model, not a diffusion model"), e.getMessage());
  }

  @Test
  void aDamagedDiffusionBlockIsNamedNotABug() throws Exception {
    readText("damaged", "name: \"x\"\ntask: UNCONDITIONAL\ndiffusion {\n  timesteps: 10\n  variance: SAME\n}\n");
    SamplingException e = assertThrows(SamplingException.class, () -> DepotModel.load(dir.resolve("damaged")));
    assertTrue(e.getMessage().contains(ModelCards.FILE + ": unusable diffusion settings: unknown beta schedule"),
        e.getMessage());
  }
}
