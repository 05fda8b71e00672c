package org.diffusiondepot.export;

import org.diffusiondepot.proto.ExperimentConfig;
import org.diffusiondepot.proto.ModelCard;
import org.diffusiondepot.task.DiffusionTask;

/**
 * The card fields of a diffusion export, taken from the run's config: what a sampler needs to
 * use it. {@link SavedModelExport} adds the fields every export shares.
 */
final class ModelCardFactory {
  private ModelCardFactory() {}

  static ModelCard.Builder fromConfig(ExperimentConfig c, DiffusionTask task) {
    // c was loaded through ConfigLoader, which fills the defaults: the card stores the values the
    // run trained with, not whatever defaults the reader's version would apply.
    ModelCard.Builder card = ModelCard.newBuilder().setDiffusion(c.getDiffusion());
    task.describe(card);
    return card;
  }
}
