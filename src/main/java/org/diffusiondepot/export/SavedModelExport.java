package org.diffusiondepot.export;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import org.diffusiondepot.config.ConfigException;
import org.diffusiondepot.config.ConfigLoader;
import org.diffusiondepot.nn.VariableStore;
import org.diffusiondepot.proto.ExperimentConfig;
import org.diffusiondepot.proto.ModelCard;
import org.diffusiondepot.proto.Precision;
import org.diffusiondepot.run.CheckpointStore;
import org.diffusiondepot.run.RunDirectory;
import org.diffusiondepot.runtime.SessionConfigs;
import org.diffusiondepot.task.ExportContract;
import org.diffusiondepot.sampler.ModelCards;
import org.tensorflow.Graph;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.op.Ops;

/**
 * The one export sequence, for every kind of model: load the run's config, find its latest
 * checkpoint, stage the target, build a fresh inference graph ({@link ExportedModel#build}),
 * restore the checkpoint into it, write the SavedModel and the card, publish atomically, print one
 * line. A run without a checkpoint and a config edited after training are {@link ConfigException}s
 * that say what to do; a failed export leaves neither half a model at the target nor its staging
 * folder ({@link ExportDirectory}).
 * <p>
 * The inference graph is built fresh rather than taken from training: exporting the training
 * session would write the optimizer, the gradients and the data pipeline into the SavedModel.
 */
public final class SavedModelExport {
  /** Reads what one kind of export needs from a run whose config and checkpoint were found. */
  @FunctionalInterface
  public interface Opener {
    ExportedModel open(RunDirectory run, ExperimentConfig config) throws IOException;
  }

  private SavedModelExport() {}

  /** Exports the latest checkpoint of {@code runDir} to {@code exportDir} (fp32) and returns its card. */
  public static ModelCard write(Path runDir, Path exportDir, PrintStream out, Opener opener) throws IOException {
    return write(runDir, exportDir, out, opener, Precision.FP32);
  }

  /**
   * As above; {@code precision} is the arithmetic the sampler will run the network in (the card
   * says it, the weights stay fp32).
   */
  public static ModelCard write(Path runDir, Path exportDir, PrintStream out, Opener opener, Precision precision)
      throws IOException {
    RunDirectory run = new RunDirectory(runDir);
    ExperimentConfig config = run.loadConfig();
    Path checkpoint = new CheckpointStore(run.checkpoints(), 1).latest().orElseThrow(() -> new ConfigException(
        runDir + " has no checkpoint yet; train first: tools/depot train CONFIG --data DIR|builtin --out " + runDir));
    ExportedModel model = opener.open(run, config);
    Path staging = ExportDirectory.prepareTarget(exportDir);
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      VariableStore weights = VariableStore.forRestore(tf, model.weightsRoot());
      Signature[] signatures = model.build(tf, weights).toArray(Signature[]::new);
      try (Session session = new Session(graph, SessionConfigs.cpu())) {
        restore(session, checkpoint, runDir);
        SavedModelBundle.exporter(staging.toString()).withTags(ExportContract.TAG).withSession(session)
            .withSignatures(signatures).export();
      }
      ModelCard card = model.card(staging)
          .setName(config.getName())
          .setTask(config.getTask())
          .setTrainedSteps(CheckpointStore.stepOf(checkpoint))
          .setParameters(weights.parameterCount())
          .setSourceConfig(ConfigLoader.toText(config))
          .setCreated(Instant.now().toString())
          .setPrecision(precision)
          .build();
      ModelCards.write(card, staging);
      ExportDirectory.publish(staging, exportDir);
      out.printf("exported %s (%s) to %s%n", config.getName(), model.summary(card), exportDir);
      return card;
    } finally {
      ExportDirectory.deleteRecursively(staging);
    }
  }

  /** Restores with no initialisation: every variable of the inference graph is in the checkpoint. */
  private static void restore(Session session, Path checkpoint, Path runDir) {
    try {
      session.restore(checkpoint.toString());
    } catch (RuntimeException e) {
      throw new ConfigException(checkpoint + " does not match " + runDir.resolve(RunDirectory.CONFIG)
          + " (was the config edited after training?): " + firstLine(e.getMessage()), e);
    }
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
