package org.diffusiondepot.train;

import java.nio.file.Path;

/**
 * One {@code tools/depot train} job: the config, the images, the run directory and where to stop.
 *
 * @param data an image folder or "builtin"
 * @param stopAtStep train until the global step reaches this (null: train.iterations); the
 *     learning-rate schedule always spans train.iterations
 */
public record TrainingRequest(Path config, String data, Path runDir, Long stopAtStep) {}
