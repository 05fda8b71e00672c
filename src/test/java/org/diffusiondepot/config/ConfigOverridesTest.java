package org.diffusiondepot.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.diffusiondepot.proto.BlockType;
import org.diffusiondepot.proto.ExperimentConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --set FIELD=VALUE}: the file as if edited, defaulted and validated like the file. */
class ConfigOverridesTest {
  static final String GOOD = ConfigLoaderTest.GOOD;

  static ExperimentConfig load(String... assignments) {
    return ConfigLoader.parse(GOOD, "c.pbtxt", ConfigOverrides.parse(List.of(assignments)));
  }

  static String failure(String... assignments) {
    return assertThrows(ConfigException.class, () -> load(assignments)).getMessage();
  }

  @Test
  void scalarsOfEveryKind() {
    ExperimentConfig c = load("train.batch_size=8", "train.learning_rate=3e-4", "train.iterations=20",
        "model.middle_attention=false", "name=lhq small", "description=\"quoted text\"");
    assertEquals(8, c.getTrain().getBatchSize());
    assertEquals(3e-4, c.getTrain().getLearningRate(), 0);
    assertEquals(20, c.getTrain().getIterations());
    assertFalse(c.getModel().getMiddleAttention(), "an optional bool set to false is not defaulted back to true");
    assertEquals("lhq small", c.getName());
    assertEquals("quoted text", c.getDescription());
    // everything else as in the file, defaults included
    assertEquals(8, c.getModel().getBaseChannels());
    assertEquals(1000, c.getDiffusion().getTimesteps());
  }

  @Test
  void enums() {
    ExperimentConfig c = load("model.block=CONVNEXT_7X7", "diffusion.beta_schedule=COSINE");
    assertEquals(BlockType.CONVNEXT_7X7, c.getModel().getBlock());
    assertEquals(org.diffusiondepot.proto.BetaSchedule.COSINE, c.getDiffusion().getBetaSchedule());
  }

  @Test
  void aRepeatedFieldIsReplacedNotAppended() {
    assertEquals(List.of(8), load().getModel().getAttentionResolutionsList());
    assertEquals(List.of(16), load("model.attention_resolutions=[16]").getModel().getAttentionResolutionsList());
    assertEquals(List.of(16, 8), load("model.attention_resolutions=[16, 8]").getModel().getAttentionResolutionsList());
    assertEquals(List.of(), load("model.attention_resolutions=[]").getModel().getAttentionResolutionsList());
    assertEquals(List.of(1, 2, 2), load("model.channel_mults=[1,2,2]").getModel().getChannelMultsList());
    // the later of two overrides of one field wins
    assertEquals(List.of(16), load("model.attention_resolutions=[8]", "model.attention_resolutions=[16]")
        .getModel().getAttentionResolutionsList());
  }

  @Test
  void nestedBlocksAreReachedByPathOrReplacedWhole() {
    String inpainting = "task=INPAINTING";
    ExperimentConfig c = load(inpainting, "inpainting.min_mask_ratio=0.1", "inpainting.max_mask_ratio=0.4");
    assertEquals(0.1, c.getInpainting().getMinMaskRatio(), 0);
    assertEquals(0.4, c.getInpainting().getMaxMaskRatio(), 0);
    // a block replaces the field: the min_mask_ratio set before is gone, not merged
    c = load(inpainting, "inpainting.min_mask_ratio=0.1", "inpainting={ min_mask_ratio: 0.2 max_mask_ratio: 0.5 }");
    assertEquals(0.2, c.getInpainting().getMinMaskRatio(), 0);
    ConfigException e = assertThrows(ConfigException.class,
        () -> load(inpainting, "inpainting.min_mask_ratio=0.1", "inpainting={ max_mask_ratio: 0.5 }"));
    assertTrue(e.getMessage().contains("inpainting.min_mask_ratio: expected a fraction in (0, 1)"), e.getMessage());
  }

  @Test
  void aBadPathNamesTheFieldAndTheKnownOnes() {
    String m = failure("train.batchsize=8");
    assertTrue(m.startsWith("--set train.batchsize=8: train has no field 'batchsize'; its fields are batch_size, "
        + "iterations, "), m);
    m = failure("trian.batch_size=8");
    assertTrue(m.startsWith("--set trian.batch_size=8: the config has no field 'trian'; its fields are name, "), m);
    m = failure("train.batch_size.x=8");
    assertEquals("--set train.batch_size.x=8: train.batch_size is an integer, not a block with fields", m);
    m = failure("batch_size");
    assertEquals("--set batch_size: expected FIELD=VALUE, e.g. --set train.batch_size=8", m);
  }

  @Test
  void aBadValueSaysWhatWasExpected() {
    assertEquals("--set train.batch_size=eight: expected an integer, got eight", failure("train.batch_size=eight"));
    assertEquals("--set train.learning_rate=fast: expected a number, got fast", failure("train.learning_rate=fast"));
    assertEquals("--set model.block=RESNET: expected one of RESNET_3X3, CONVNEXT_7X7, got RESNET",
        failure("model.block=RESNET"));
    assertEquals("--set model.middle_attention=maybe: expected true or false, got maybe",
        failure("model.middle_attention=maybe"));
    assertEquals("--set model.attention_resolutions=[16,x]: expected a list of integers, such as [16, 8], in "
        + "brackets ([] for none), got [16,x]", failure("model.attention_resolutions=[16,x]"));
    assertEquals("--set train.batch_size=8 iterations: 5: expected one value, an integer, got 8 iterations: 5",
        failure("train.batch_size=8 iterations: 5"));
  }

  @Test
  void overridesAreValidatedLikeTheFile() {
    String m = failure("train.batch_size=-1");
    assertEquals("c.pbtxt with --set train.batch_size=-1: train.batch_size: expected a positive integer, got -1", m);
    m = failure("model.attention_resolutions=[5]");
    assertTrue(m.contains("model.attention_resolutions: expected feature-map sizes among [16, 8], got 5"), m);
    // a value set to zero is defaulted, as when the file leaves it out
    assertEquals(1e-4, load("train.learning_rate=0").getTrain().getLearningRate(), 0);
  }

  @Test
  void theEffectiveTextLoadsAsTheOverriddenConfig(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("c.pbtxt");
    Files.writeString(file, "# a comment\n" + GOOD);
    assertEquals("# a comment\n" + GOOD, ConfigLoader.effectiveText(file, ConfigOverrides.NONE));
    ConfigOverrides set = ConfigOverrides.parse(List.of("train.batch_size=8", "model.attention_resolutions=[]"));
    String text = ConfigLoader.effectiveText(file, set);
    assertTrue(text.startsWith("# " + file + " with --set train.batch_size=8 --set model.attention_resolutions=[]\n"),
        text);
    assertEquals(ConfigLoader.load(file, set), ConfigLoader.parse(text, "record"));
    String body = text.substring(text.indexOf('\n') + 1);
    assertFalse(body.contains("attention_resolutions"), "an emptied list is gone: " + text);
    assertTrue(body.contains("batch_size: 8"), text);
  }
}
