package org.diffusiondepot.train;

import java.io.PrintStream;
import org.diffusiondepot.proto.ExperimentConfig;
import org.diffusiondepot.run.TrainingData;

/** What a {@link TrainingModel} is built from: the run's config, its data, and where to report. */
public record TrainingContext(ExperimentConfig config, TrainingData data, PrintStream out) {}
