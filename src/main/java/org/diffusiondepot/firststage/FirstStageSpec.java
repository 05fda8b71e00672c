package org.diffusiondepot.firststage;

import java.util.List;
import org.diffusiondepot.config.ConfigException;
import org.diffusiondepot.proto.ExperimentConfig;
import org.diffusiondepot.proto.FirstStageConfig;
import org.diffusiondepot.proto.Task;

/**
 * Everything that fixes the shape of a VQGAN first stage, with the defaults of Esser et al.'s
 * code for fields a config leaves at zero: 32 GroupNorm groups, a 3-layer PatchGAN of width 64.
 * GroupNorm groups are capped by each layer's width (the greatest common divisor is taken), so 32
 * groups at width 32 are one channel each, i.e. InstanceNorm.
 *
 * @param latentChannels width of the encoder output before the 1x1 {@code quant_conv} (taming's
 *     z_channels); the latent handed to diffusion has {@code embeddingDim} channels
 * @param discriminatorWeight 0 switches the GAN off
 */
public record FirstStageSpec(
    int imageSize,
    int imageChannels,
    int baseChannels,
    List<Integer> channelMults,
    int blocksPerLevel,
    boolean attention,
    int latentChannels,
    int embeddingDim,
    int codebookSize,
    double commitmentBeta,
    int groups,
    int discriminatorChannels,
    int discriminatorLayers,
    double discriminatorWeight,
    long discriminatorStart) {

  static final int DEFAULT_GROUPS = 32;
  static final int DEFAULT_DISCRIMINATOR_CHANNELS = 64;
  static final int DEFAULT_DISCRIMINATOR_LAYERS = 3;

  public FirstStageSpec {
    channelMults = List.copyOf(channelMults);
    if (channelMults.isEmpty()) {
      throw new IllegalArgumentException("a first stage needs at least one level");
    }
    if (imageSize % factorOf(channelMults.size()) != 0) {
      throw new IllegalArgumentException("image size " + imageSize + " is not divisible by the factor "
          + factorOf(channelMults.size()));
    }
  }

  /** The spec of a FIRST_STAGE config (validated by ConfigLoader). */
  public static FirstStageSpec fromConfig(ExperimentConfig c) {
    if (c.getTask() != Task.FIRST_STAGE) {
      throw new ConfigException(c.getName() + ": task is " + c.getTask() + ", expected FIRST_STAGE for a VQGAN");
    }
    FirstStageConfig f = c.getFirstStage();
    if (factorOf(f.getChannelMultsCount()) != f.getFactor()) {
      throw new ConfigException(c.getName() + ": first_stage.channel_mults has " + f.getChannelMultsCount()
          + " levels, which give factor " + factorOf(f.getChannelMultsCount()) + ", not " + f.getFactor());
    }
    return new FirstStageSpec(c.getData().getResolution(), c.getData().getChannels(), f.getBaseChannels(),
        f.getChannelMultsList(), f.getBlocksPerLevel(), f.getAttention(), f.getLatentChannels(),
        f.getEmbeddingDim(), f.getCodebookSize(), f.getCommitmentBeta(),
        f.getGroupNormGroups() > 0 ? f.getGroupNormGroups() : DEFAULT_GROUPS,
        f.getDiscriminatorChannels() > 0 ? f.getDiscriminatorChannels() : DEFAULT_DISCRIMINATOR_CHANNELS,
        f.getDiscriminatorLayers() > 0 ? f.getDiscriminatorLayers() : DEFAULT_DISCRIMINATOR_LAYERS,
        f.getDiscriminatorWeight(), f.getDiscriminatorStart());
  }

  /** Spatial downsampling factor f = 2^(levels - 1). */
  public int factor() {
    return factorOf(channelMults.size());
  }

  public int latentSize() {
    return imageSize / factor();
  }

  public int levels() {
    return channelMults.size();
  }

  /** Width of level {@code level}. */
  public int width(int level) {
    return baseChannels * channelMults.get(level);
  }

  public boolean usesGan() {
    return discriminatorWeight > 0;
  }

  private static int factorOf(int levels) {
    return 1 << (levels - 1);
  }
}
