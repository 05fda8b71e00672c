package org.diffusiondepot.train;

import java.nio.file.Path;
import org.diffusiondepot.config.ConfigLoader;
import org.diffusiondepot.config.ConfigOverrides;
import org.diffusiondepot.proto.ExperimentConfig;

/**
 * One {@code tools/depot train} job: the config, the images, the run directory and where to stop.
 *
 * @param data an image folder or "builtin"
 * @param stopAtStep train until the global step reaches this (null: train.iterations); the
 *     learning-rate schedule always spans train.iterations
 * @param overrides config fields set on the command line ({@code --set})
 */
public record TrainingRequest(Path config, String data, Path runDir, Long stopAtStep, ConfigOverrides overrides) {
  /** A job that trains the config file as written. */
  public TrainingRequest(Path config, String data, Path runDir, Long stopAtStep) {
    this(config, data, runDir, stopAtStep, ConfigOverrides.NONE);
  }

  /** The config to train: the file with the overrides, defaulted and validated. */
  public ExperimentConfig loadConfig() {
    return ConfigLoader.load(config, overrides);
  }
}
