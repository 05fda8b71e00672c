package org.diffusiondepot.config;

import java.util.List;
import org.diffusiondepot.proto.BetaSchedule;
import org.diffusiondepot.proto.BlockType;
import org.diffusiondepot.proto.DiffusionConfig;
import org.diffusiondepot.proto.ExperimentConfig;
import org.diffusiondepot.proto.FirstStageConfig;
import org.diffusiondepot.proto.ModelConfig;
import org.diffusiondepot.proto.Task;
import org.diffusiondepot.proto.TrainConfig;
import org.diffusiondepot.proto.VarianceType;

/** Checks a defaulted config field by field; the first problem found is thrown with its path. */
final class ConfigValidator {
  private final String source;

  private ConfigValidator(String source) {
    this.source = source;
  }

  static void validate(ExperimentConfig c, String source) {
    new ConfigValidator(source).check(c);
  }

  private void check(ExperimentConfig c) {
    if (c.getTask() == Task.TASK_UNSPECIFIED) {
      fail("task", "one of UNCONDITIONAL, CLASS_CONDITIONAL, INPAINTING, SUPER_RESOLUTION, FIRST_STAGE", "nothing");
    }
    checkData(c);
    checkTrain(c.getTrain());
    if (c.getTask() == Task.FIRST_STAGE) {
      if (!c.hasFirstStage()) {
        fail("first_stage", "a first_stage { ... } block for a FIRST_STAGE (VQGAN) config", "nothing");
      }
      checkFirstStage(c.getFirstStage(), c.getData().getResolution());
      if (c.getTrain().getRecompute()) {
        fail("train.recompute", "false for a FIRST_STAGE config (only the diffusion UNet recomputes its blocks)", true);
      }
      return;
    }
    checkModel(c.getModel(), modelSize(c));
    if (c.getTrain().getRecompute() && c.getModel().getDropout() > 0) {
      fail("train.recompute", "model.dropout 0 (a recomputed block would draw a new dropout mask; dropout is "
          + c.getModel().getDropout() + ")", true);
    }
    checkDiffusion(c.getDiffusion());
    switch (c.getTask()) {
      case CLASS_CONDITIONAL -> {
        positive("classes.num_classes", c.getClasses().getNumClasses());
        double p = c.getClasses().getLabelDropout();
        if (p < 0 || p >= 1) fail("classes.label_dropout", "a probability in [0, 1)", p);
        if (!c.getClasses().getClassifierFreeGuidance() && p != 0) {
          fail("classes.label_dropout", "0 when classifier_free_guidance is false", p);
        }
      }
      case INPAINTING -> {
        double lo = c.getInpainting().getMinMaskRatio();
        double hi = c.getInpainting().getMaxMaskRatio();
        if (!(lo > 0 && lo < 1)) fail("inpainting.min_mask_ratio", "a fraction in (0, 1)", lo);
        if (!(hi >= lo && hi < 1)) fail("inpainting.max_mask_ratio", "a fraction in [min_mask_ratio, 1)", hi);
        // Masks fill whole pixels, so the range must contain a whole pixel count (counted as
        // data.MaskGenerator counts); otherwise training would fail at its first mask, not here.
        long pixels = (long) c.getData().getResolution() * c.getData().getResolution();
        if (Math.ceil(lo * pixels - 1e-9) > Math.floor(hi * pixels + 1e-9)) {
          fail("inpainting.max_mask_ratio", "a range [min_mask_ratio, max_mask_ratio] containing a multiple of 1/"
              + pixels + " (one pixel at data.resolution " + c.getData().getResolution() + "); widen it",
              lo + ".." + hi);
        }
        if (c.getInpainting().getResamplings() < 0) {
          fail("inpainting.resamplings", "0 or 1 (no resampling) or the passes per reverse step",
              c.getInpainting().getResamplings());
        }
      }
      case SUPER_RESOLUTION -> checkSuperResolution(c);
      default -> { }
    }
  }

  /** Side of the tensor the UNet sees: the image, or the latent for latent diffusion. */
  static int modelSize(ExperimentConfig c) {
    if (c.getTask() == Task.SUPER_RESOLUTION && c.getLatentShapeCount() == 3) {
      return c.getLatentShape(1);
    }
    return c.getData().getResolution();
  }

  private void checkData(ExperimentConfig c) {
    positive("data.resolution", c.getData().getResolution());
    int ch = c.getData().getChannels();
    if (ch != 1 && ch != 3) fail("data.channels", "1 or 3", ch);
    double f = c.getData().getTrainFraction();
    if (!(f > 0 && f < 1)) fail("data.train_fraction", "a fraction in (0, 1), e.g. 0.8 for an 80-20 split", f);
    positive("data.loader_threads", c.getData().getLoaderThreads());
  }

  private void checkModel(ModelConfig m, int size) {
    positive("model.base_channels", m.getBaseChannels());
    if (m.getChannelMultsCount() == 0) fail("model.channel_mults", "at least one level, e.g. [1, 2, 4]", "none");
    for (int i = 0; i < m.getChannelMultsCount(); i++) positive("model.channel_mults[" + i + "]", m.getChannelMults(i));
    positive("model.blocks_per_level", m.getBlocksPerLevel());
    if (m.getBlock() == BlockType.BLOCK_UNSPECIFIED) fail("model.block", "RESNET_3X3 or CONVNEXT_7X7", "nothing");
    int levels = m.getChannelMultsCount();
    if (size % (1 << (levels - 1)) != 0) {
      fail("model.channel_mults", levels + " levels need a size divisible by " + (1 << (levels - 1)), size);
    }
    List<Integer> resolutions = new java.util.ArrayList<>();
    for (int i = 0; i < levels; i++) resolutions.add(size >> i);
    for (int r : m.getAttentionResolutionsList()) {
      if (!resolutions.contains(r)) fail("model.attention_resolutions", "feature-map sizes among " + resolutions, r);
    }
    if (m.getDropout() < 0 || m.getDropout() >= 1) fail("model.dropout", "a rate in [0, 1)", m.getDropout());
    positive("model.group_norm_groups", m.getGroupNormGroups());
  }

  private void checkDiffusion(DiffusionConfig d) {
    if (d.getTimesteps() < 2) fail("diffusion.timesteps", "at least 2", d.getTimesteps());
    if (d.getBetaSchedule() == BetaSchedule.BETA_SCHEDULE_UNSPECIFIED) {
      fail("diffusion.beta_schedule", "LINEAR or COSINE", "nothing");
    }
    if (d.getBetaSchedule() == BetaSchedule.LINEAR
        && !(d.getBetaStart() > 0 && d.getBetaStart() < d.getBetaEnd() && d.getBetaEnd() < 1)) {
      fail("diffusion.beta_start", "0 < beta_start < beta_end < 1", d.getBetaStart() + ", " + d.getBetaEnd());
    }
    if (d.getCosineOffset() < 0) fail("diffusion.cosine_offset", "a non-negative offset s", d.getCosineOffset());
    if (!(d.getMaxBeta() > 0 && d.getMaxBeta() < 1)) fail("diffusion.max_beta", "a value in (0, 1)", d.getMaxBeta());
    if (d.getVariance() == VarianceType.VARIANCE_UNSPECIFIED) {
      fail("diffusion.variance", "SAME (sigma^2 = beta) or TRUE (posterior variance)", "nothing");
    }
  }

  private void checkTrain(TrainConfig t) {
    positive("train.batch_size", t.getBatchSize());
    positive("train.iterations", t.getIterations());
    positive("train.cosine_cycles", t.getCosineCycles());
    if (t.getCosineCycles() > t.getIterations()) {
      fail("train.cosine_cycles", "at most train.iterations (" + t.getIterations() + ")", t.getCosineCycles());
    }
    if (!(t.getLearningRate() > 0)) fail("train.learning_rate", "a positive rate", t.getLearningRate());
    if (!(t.getMinLearningRate() >= 0 && t.getMinLearningRate() < t.getLearningRate())) {
      fail("train.min_learning_rate", "a rate in [0, learning_rate)", t.getMinLearningRate());
    }
    if (t.getWarmupSteps() < 0) fail("train.warmup_steps", "a non-negative count", t.getWarmupSteps());
    if (t.getWeightDecay() < 0) fail("train.weight_decay", "a non-negative coefficient", t.getWeightDecay());
    if (!(t.getAdamBeta1() >= 0 && t.getAdamBeta1() < 1)) fail("train.adam_beta1", "a value in [0, 1)", t.getAdamBeta1());
    if (!(t.getAdamBeta2() >= 0 && t.getAdamBeta2() < 1)) fail("train.adam_beta2", "a value in [0, 1)", t.getAdamBeta2());
    if (!(t.getAdamEpsilon() > 0)) fail("train.adam_epsilon", "a positive epsilon", t.getAdamEpsilon());
    if (t.getGradClipNorm() < 0) fail("train.grad_clip_norm", "0 (off) or a positive norm", t.getGradClipNorm());
    if (!(t.getEmaDecay() >= 0 && t.getEmaDecay() < 1)) fail("train.ema_decay", "a decay in [0, 1)", t.getEmaDecay());
    positive("train.checkpoint_every", t.getCheckpointEvery());
    positive("train.log_every", t.getLogEvery());
    if (t.getSampleEvery() < 0) fail("train.sample_every", "0 (only at the end) or a step count", t.getSampleEvery());
    positive("train.sample_count", t.getSampleCount());
    positive("train.sample_steps", t.getSampleSteps());
    if (t.getValidationEvery() < 0) fail("train.validation_every", "0 (off) or a step count", t.getValidationEvery());
    positive("train.keep_checkpoints", t.getKeepCheckpoints());
    positive("train.accumulation_steps", t.getAccumulationSteps());
    int towers = Math.max(1, t.getDevicesCount()) * t.getAccumulationSteps();
    if (t.getBatchSize() % towers != 0) {
      fail(t.getDevicesCount() > 1 ? "train.devices" : "train.accumulation_steps", "a layout whose "
          + Math.max(1, t.getDevicesCount()) + " device(s) x " + t.getAccumulationSteps()
          + " micro-batch(es) divide train.batch_size " + t.getBatchSize(), towers + " slices");
    }
    for (String device : t.getDevicesList()) {
      if (!device.matches("(/job:\\w+)?(/replica:\\d+)?(/task:\\d+)?/?(device:)?(CPU|GPU|cpu|gpu):\\d+")) {
        fail("train.devices", "device names such as /device:GPU:0 or /device:CPU:1", device);
      }
    }
    if (!(t.getLossSpikeFactor() == 0 || t.getLossSpikeFactor() > 1)) {
      fail("train.loss_spike_factor", "0 (no alerts) or a factor above 1", t.getLossSpikeFactor());
    }
  }

  private void checkSuperResolution(ExperimentConfig c) {
    int down = c.getSuperResolution().getDownscale();
    if (down < 2) fail("super_resolution.downscale", "a factor of at least 2", down);
    if (c.getData().getResolution() % down != 0) {
      fail("super_resolution.downscale", "a divisor of data.resolution " + c.getData().getResolution(), down);
    }
    if (c.getLatentShapeCount() != 3) {
      fail("latent_shape", "[channels, height, width] of the first stage's latent, e.g. [256, 32, 32]",
          c.getLatentShapeList());
    }
    int res = c.getData().getResolution();
    if (c.getLatentShape(1) != c.getLatentShape(2) || res % c.getLatentShape(1) != 0) {
      fail("latent_shape", "a square latent whose side divides data.resolution " + res, c.getLatentShapeList());
    }
    if (c.getSuperResolution().getBlurSigma() < 0) {
      fail("super_resolution.blur_sigma", "0 (no blur) or a positive sigma in pixels",
          c.getSuperResolution().getBlurSigma());
    }
    if (c.getSuperResolution().getNoiseStd() < 0) {
      fail("super_resolution.noise_std", "a non-negative standard deviation", c.getSuperResolution().getNoiseStd());
    }
  }

  private void checkFirstStage(FirstStageConfig f, int resolution) {
    int factor = f.getFactor();
    if (factor < 2 || Integer.bitCount(factor) != 1) fail("first_stage.factor", "a power of two, e.g. 8 or 16", factor);
    if (resolution % factor != 0) fail("first_stage.factor", "a divisor of data.resolution " + resolution, factor);
    positive("first_stage.base_channels", f.getBaseChannels());
    int levels = Integer.numberOfTrailingZeros(factor) + 1;
    if (f.getChannelMultsCount() != levels) {
      fail("first_stage.channel_mults", levels + " entries for factor " + factor, f.getChannelMultsList());
    }
    positive("first_stage.blocks_per_level", f.getBlocksPerLevel());
    positive("first_stage.latent_channels", f.getLatentChannels());
    positive("first_stage.codebook_size", f.getCodebookSize());
    positive("first_stage.embedding_dim", f.getEmbeddingDim());
    if (f.getCommitmentBeta() < 0) fail("first_stage.commitment_beta", "a non-negative weight", f.getCommitmentBeta());
    if (f.getGroupNormGroups() < 0) {
      fail("first_stage.group_norm_groups", "0 (taming's 32) or a positive number of groups", f.getGroupNormGroups());
    }
  }

  private void positive(String field, long value) {
    if (value <= 0) fail(field, "a positive integer", value);
  }

  private void fail(String field, String expected, Object got) {
    throw new ConfigException(source + ": " + field + ": expected " + expected + ", got " + got);
  }
}
