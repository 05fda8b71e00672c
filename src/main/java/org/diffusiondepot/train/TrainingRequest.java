package org.diffusiondepot.train;

import java.nio.file.Path;
import java.util.function.UnaryOperator;
import org.diffusiondepot.proto.ExperimentConfig;

/**
 * One {@code tools/depot train} job: the config, the images, the run directory and where to stop.
 *
 * @param data an image folder or "builtin"
 * @param stopAtStep train until the global step reaches this (null: train.iterations); the
 *     learning-rate schedule always spans train.iterations
 * @param adjust changes the command line makes to the config (e.g. {@code --devices}); the run
 *     directory records the adjusted config
 */
public record TrainingRequest(Path config, String data, Path runDir, Long stopAtStep,
    UnaryOperator<ExperimentConfig> adjust) {
  public TrainingRequest(Path config, String data, Path runDir, Long stopAtStep) {
    this(config, data, runDir, stopAtStep, UnaryOperator.identity());
  }
}
