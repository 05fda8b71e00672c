package org.diffusiondepot.export;

import java.util.List;
import org.diffusiondepot.diffusion.Denoiser;
import org.diffusiondepot.proto.DiffusionConfig;
import org.diffusiondepot.proto.ExperimentConfig;
import org.diffusiondepot.proto.ModelCard;
import org.diffusiondepot.proto.Task;
import org.diffusiondepot.sampler.ExportContract;

/**
 * The card fields of a diffusion export, taken from the run's config: what a sampler needs to
 * use it. {@link SavedModelExport} adds the fields every export shares.
 */
final class ModelCardFactory {
  private ModelCardFactory() {}

  static ModelCard.Builder fromConfig(ExperimentConfig c, Denoiser denoiser, List<String> classNames) {
    DiffusionConfig d = c.getDiffusion();
    ModelCard.Builder card = ModelCard.newBuilder()
        .setImageSize(c.getData().getResolution())
        .setImageChannels(c.getData().getChannels())
        .setModelSize(denoiser.modelSize())
        .setModelChannels(denoiser.modelChannels())
        .setTimesteps(d.getTimesteps())
        .setBetaSchedule(d.getBetaSchedule())
        .setBetaStart(d.getBetaStart())
        .setBetaEnd(d.getBetaEnd())
        .setCosineOffset(d.getCosineOffset())
        .setMaxBeta(d.getMaxBeta())
        .setVariance(d.getVariance())
        .setClipDenoised(d.getClipDenoised())
        .setDenoiseSignature(ExportContract.DENOISE);
    if (c.getTask() == Task.CLASS_CONDITIONAL) {
      card.addAllClassNames(classNames)
          .setClassifierFreeGuidance(c.getClasses().getClassifierFreeGuidance())
          .setGuidanceScale(c.getClasses().getClassifierFreeGuidance() ? c.getClasses().getGuidanceScale() : 1.0)
          .setNullClass(c.getClasses().getNumClasses());
    }
    if (c.getTask() == Task.SUPER_RESOLUTION) {
      card.setLowResSize(c.getData().getResolution() / c.getSuperResolution().getDownscale())
          .setFirstStageFactor(c.getData().getResolution() / denoiser.modelSize());
    }
    return card;
  }
}
