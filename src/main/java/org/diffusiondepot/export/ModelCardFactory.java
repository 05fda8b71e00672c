package org.diffusiondepot.export;

import java.util.List;
import org.diffusiondepot.diffusion.Denoiser;
import org.diffusiondepot.proto.ExperimentConfig;
import org.diffusiondepot.proto.ModelCard;
import org.diffusiondepot.proto.Task;

/**
 * The card fields of a diffusion export, taken from the run's config: what a sampler needs to
 * use it. {@link SavedModelExport} adds the fields every export shares.
 */
final class ModelCardFactory {
  private ModelCardFactory() {}

  static ModelCard.Builder fromConfig(ExperimentConfig c, Denoiser denoiser, List<String> classNames) {
    ModelCard.Builder card = ModelCard.newBuilder()
        .setImageSize(c.getData().getResolution())
        .setImageChannels(c.getData().getChannels())
        .setModelSize(denoiser.modelSize())
        .setModelChannels(denoiser.modelChannels())
        // c was loaded through ConfigLoader, which fills the defaults: the card stores the values
        // the run trained with, not whatever defaults the reader's version would apply.
        .setDiffusion(c.getDiffusion());
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
