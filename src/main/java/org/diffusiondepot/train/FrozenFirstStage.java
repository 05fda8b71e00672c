package org.diffusiondepot.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.diffusiondepot.config.ConfigException;
import org.diffusiondepot.proto.ExperimentConfig;
import org.diffusiondepot.proto.ModelCard;
import org.diffusiondepot.sampler.FirstStageModel;

/**
 * The first stage a latent model trains on ({@code super_resolution.first_stage}): an export of a
 * VQGAN run, checked against the config's resolution and latent shape before anything trains.
 */
final class FrozenFirstStage {
  private FrozenFirstStage() {}

  /** The exported first stage, or null when the config has none to load. */
  static FirstStageModel open(ExperimentConfig config) {
    if (!config.hasSuperResolution()) {
      return null;
    }
    String location = config.getSuperResolution().getFirstStage();
    Path export = Path.of(location);
    if (location.isEmpty() || !Files.isDirectory(export)) {
      throw new ConfigException("super_resolution.first_stage: no first-stage export at '" + location
          + "'; train and export the VQGAN first, e.g. tools/depot train graphs/demo/vqgan.pbtxt --data builtin "
          + "--out checkpoints/vqgan && tools/depot export checkpoints/vqgan --out checkpoints/vqgan-export");
    }
    FirstStageModel model;
    try {
      model = FirstStageModel.load(export);
    } catch (IOException e) {
      throw new ConfigException("super_resolution.first_stage: cannot read " + export + ": " + e.getMessage(), e);
    }
    ModelCard card = model.card();
    int res = config.getData().getResolution();
    if (card.getImageSize() != res || card.getModelSize() != config.getLatentShape(1)
        || card.getModelChannels() != config.getLatentShape(0)) {
      model.close();
      throw new ConfigException("super_resolution.first_stage: " + export + " maps " + card.getImageSize() + "px images to "
          + card.getModelChannels() + "x" + card.getModelSize() + "x" + card.getModelSize() + " latents, but the config "
          + "has data.resolution " + res + " and latent_shape " + config.getLatentShapeList());
    }
    return model;
  }
}
