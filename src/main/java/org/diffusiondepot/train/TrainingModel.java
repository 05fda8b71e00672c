package org.diffusiondepot.train;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.Map;
import org.diffusiondepot.data.Batch;
import org.diffusiondepot.events.EventWriter;
import org.diffusiondepot.run.RunDirectory;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.proto.ConfigProto;
import org.diffusiondepot.runtime.SessionConfigs;

/**
 * What one kind of model contributes to the {@link TrainLoop}: its graph, its optimisation step,
 * its validation and its preview. Everything else (resuming, cadence, progress, stopping,
 * checkpoints, events, the summary) belongs to the loop, so both trainers get it once.
 */
public interface TrainingModel extends AutoCloseable {
  /** Builds the model of a config and the data it trains on; may fail before any run is touched. */
  @FunctionalInterface
  interface Factory {
    TrainingModel create(TrainingContext context);
  }

  /** A picture of the model's progress: a TensorBoard image tag and the grid saved as samples/step-N.png. */
  record Preview(String tag, BufferedImage grid) {}

  /** The graph whose variables a checkpoint holds. */
  Graph graph();

  /** The first line of the log, before the data part: name, sizes, parameters. */
  String describe();

  /** Notes for the user about the config, printed after the first line (may be empty). */
  default java.util.List<String> notes() {
    return java.util.List.of();
  }

  /** The settings of the training session (devices, precision). */
  default ConfigProto sessionConfig() {
    return SessionConfigs.cpu();
  }

  /** How a step is laid out on the hardware, for the first line of the log. */
  default String layout() {
    return "1 device, fp32";
  }

  /** Sets a fresh run's remaining state after {@code session.initialize()} (e.g. EMA = weights). */
  default void initializeFresh(Session session) {}

  /** The global step held by the variables. */
  long globalStep(Session session);

  /**
   * One optimisation step on {@code batch} with learning rate {@code lr}, turning global step
   * {@code step} into {@code step + 1}; adds what it measured to {@code metrics} (logged under train/).
   */
  void trainStep(Session session, Batch batch, long step, double lr, IntervalMeans metrics);

  /** The progress-bar text for an interval's metrics, e.g. " loss 0.0312". */
  String progressText(IntervalMeans metrics);

  /** Scores on fixed held-out data, in a fixed order so values are comparable over time; logged under validation/. */
  Map<String, Double> validate(Session session, long step) throws IOException;

  /** The metric (in training and validation) whose rise is a loss spike worth an alert. */
  default String lossMetric() {
    return "loss";
  }

  /**
   * A picture of what the model does now. Long work checks {@code stopRequested} as it goes and
   * gives up with {@link PreviewStoppedException} once it is true.
   */
  Preview preview(Session session, long step, java.util.function.BooleanSupplier stopRequested) throws IOException;

  /** Work after the final checkpoint; {@code trained} is false when the run was already at its target. */
  default void finish(Session session, long step, boolean trained, RunDirectory run, EventWriter events)
      throws IOException {}

  @Override
  default void close() {}
}
