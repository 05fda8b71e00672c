package org.diffusiondepot.config;

import org.diffusiondepot.proto.DataConfig;
import org.diffusiondepot.proto.DiffusionConfig;
import org.diffusiondepot.proto.ExperimentConfig;
import org.diffusiondepot.proto.Precision;
import org.diffusiondepot.proto.ModelConfig;
import org.diffusiondepot.proto.TrainConfig;

/**
 * Defaults for fields a config may leave out: the seed's shared settings (AdamW, lr 1e-4 annealed
 * to 1e-10, EMA 0.9999, T = 1000, linear betas 1e-4..0.02) and sensible run-time settings. Fields
 * whose zero is meaningful (weight decay, dropout, warm-up, gradient clipping) get no default.
 */
final class ConfigDefaults {
  private ConfigDefaults() {}

  static void apply(ExperimentConfig.Builder c) {
    ModelConfig.Builder m = c.getModelBuilder();
    if (m.getBlocksPerLevel() == 0) m.setBlocksPerLevel(2);
    if (m.getGroupNormGroups() == 0) m.setGroupNormGroups(32);
    if (!m.hasMiddleAttention()) m.setMiddleAttention(true);

    DiffusionConfig.Builder d = c.getDiffusionBuilder();
    if (d.getTimesteps() == 0) d.setTimesteps(1000);
    if (d.getBetaStart() == 0) d.setBetaStart(1e-4);
    if (d.getBetaEnd() == 0) d.setBetaEnd(0.02);
    if (d.getCosineOffset() == 0) d.setCosineOffset(0.008);
    if (d.getMaxBeta() == 0) d.setMaxBeta(0.999);
    // Latent models too, though a third of their unit-variance latents lie outside [-1, 1]: an
    // eps-model's x_0 at large t is barely trained (its loss weighs x_0 by abar / (1 - abar)), and
    // unclipped it sends a briefly trained super-resolution chain astray. A v-model's x_0 is
    // trained at every t, and clipping it then only distorts: the SR demo sets prediction: V and
    // clip_denoised: false (README, "Latent super-resolution").
    if (!d.hasClipDenoised()) d.setClipDenoised(true);

    DataConfig.Builder data = c.getDataBuilder();
    if (data.getChannels() == 0) data.setChannels(3);
    if (data.getTrainFraction() == 0) data.setTrainFraction(0.9);
    if (!data.hasRandomFlip()) data.setRandomFlip(true);
    if (data.getLoaderThreads() == 0) data.setLoaderThreads(2);

    TrainConfig.Builder t = c.getTrainBuilder();
    if (t.getCosineCycles() == 0) t.setCosineCycles(1);
    if (t.getLearningRate() == 0) t.setLearningRate(1e-4);
    if (t.getMinLearningRate() == 0) t.setMinLearningRate(1e-10);
    if (t.getAdamBeta1() == 0) t.setAdamBeta1(0.9);
    if (t.getAdamBeta2() == 0) t.setAdamBeta2(0.999);
    if (t.getAdamEpsilon() == 0) t.setAdamEpsilon(1e-8);
    if (t.getEmaDecay() == 0) t.setEmaDecay(0.9999);
    if (!t.hasEmaWarmup()) t.setEmaWarmup(true);
    if (t.getCheckpointEvery() == 0) t.setCheckpointEvery(1000);
    if (t.getLogEvery() == 0) t.setLogEvery(10);
    if (t.getSampleCount() == 0) t.setSampleCount(16);
    if (t.getSampleSteps() == 0) t.setSampleSteps(50);
    if (t.getValidationBatches() == 0) t.setValidationBatches(4);
    if (t.getKeepCheckpoints() == 0) t.setKeepCheckpoints(3);
    if (!t.hasLossSpikeFactor()) t.setLossSpikeFactor(3.0);
    if (t.getPrecision() == Precision.PRECISION_UNSPECIFIED) t.setPrecision(Precision.FP32);
    if (t.getAccumulationSteps() == 0) t.setAccumulationSteps(1);

    if (c.hasClasses() && c.getClasses().getGuidanceScale() == 0 && c.getClasses().getClassifierFreeGuidance()) {
      c.getClassesBuilder().setGuidanceScale(3.0);
    }
    if (c.hasClasses() && c.getClasses().getClassifierFreeGuidance() && c.getClasses().getLabelDropout() == 0) {
      c.getClassesBuilder().setLabelDropout(0.1);
    }
  }
}
