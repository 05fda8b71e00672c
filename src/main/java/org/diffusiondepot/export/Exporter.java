package org.diffusiondepot.export;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.diffusiondepot.config.ConfigException;
import org.diffusiondepot.diffusion.ConditionInputs;
import org.diffusiondepot.diffusion.Denoiser;
import org.diffusiondepot.nn.VariableStore;
import org.diffusiondepot.proto.ExperimentConfig;
import org.diffusiondepot.proto.ModelCard;
import org.diffusiondepot.proto.Task;
import org.diffusiondepot.sampler.ExportContract;
import org.diffusiondepot.runtime.SessionConfigs;
import org.diffusiondepot.sampler.ModelCards;
import org.diffusiondepot.run.CheckpointStore;
import org.diffusiondepot.run.RunDirectory;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Writes a SavedModel for sampling from a run's latest checkpoint: a fresh inference graph (no
 * optimizer, no gradients, no dropout) whose variables are the EMA weights, with a {@code denoise}
 * signature and the model card beside it.
 * <p>
 * The inference variables are named like the training run's EMA shadows ({@code ema.unet.*}), so
 * the checkpoint restores straight into them with no copy ops left behind in the graph.
 */
public final class Exporter {
  static final String WEIGHTS_ROOT = "ema/" + Denoiser.ROOT;

  private Exporter() {}

  public static ModelCard export(Path runDir, Path exportDir, PrintStream out) throws IOException {
    RunDirectory run = new RunDirectory(runDir);
    ExperimentConfig config = run.loadConfig();
    Path checkpoint = new CheckpointStore(run.checkpoints(), 1).latest().orElseThrow(() -> new ConfigException(
        runDir + " has no checkpoint yet; train first: tools/depot train CONFIG --data DIR --out " + runDir));
    List<String> classNames = Files.exists(run.classes())
        ? Files.readAllLines(run.classes(), StandardCharsets.UTF_8) : List.of();
    Path staging = ExportDirectory.prepareTarget(exportDir);
    Denoiser denoiser = Denoiser.fromConfig(config).withoutDropout();
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      int size = denoiser.modelSize();
      VariableStore weights = VariableStore.forRestore(tf, WEIGHTS_ROOT);
      Placeholder<TFloat32> xt = tf.withName(ExportContract.X_T).placeholder(TFloat32.class,
          Placeholder.shape(Shape.of(-1, size, size, denoiser.modelChannels())));
      Placeholder<TInt32> t = tf.withName(ExportContract.T).placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
      ConditionInputs condition = denoiser.placeholders(tf);
      Operand<TFloat32> eps = tf.withName(ExportContract.EPS).identity(denoiser.predictNoise(tf, weights, xt, t, condition));
      try (Session session = new Session(graph, SessionConfigs.cpu())) {
        ExportDirectory.restore(session, checkpoint, runDir);
        Signature.Builder signature = Signature.builder().key(ExportContract.DENOISE).input(ExportContract.X_T, xt).input(ExportContract.T, t)
            .output(ExportContract.EPS, eps);
        if (condition.label() != null) signature.input(ExportContract.LABEL, condition.label());
        if (condition.maskedImage() != null) signature.input(ExportContract.MASKED_IMAGE, condition.maskedImage());
        if (condition.mask() != null) signature.input(ExportContract.MASK, condition.mask());
        if (condition.lowRes() != null) signature.input(ExportContract.LOW_RES, condition.lowRes());
        SavedModelBundle.exporter(staging.toString()).withSession(session).withSignature(signature.build()).export();
      }
      ModelCard.Builder cardBuilder = ModelCardFactory.fromConfig(config, denoiser, classNames,
          CheckpointStore.stepOf(checkpoint), weights.parameterCount());
      if (config.getTask() == Task.SUPER_RESOLUTION) {
        cardBuilder.setLatentScale(bundleFirstStage(config, staging));
      }
      ModelCard card = cardBuilder.build();
      ModelCards.write(card, staging);
      ExportDirectory.publish(staging, exportDir);
      out.printf("exported %s (EMA weights of step %d, %,d parameters) to %s%n", config.getName(),
          card.getTrainedSteps(), card.getParameters(), exportDir);
      return card;
    } finally {
      ExportDirectory.deleteRecursively(staging);
    }
  }

  /**
   * Copies the run's frozen first stage into {@code EXPORT_DIR/first_stage}, so the export is
   * self-contained, and returns its latent scale.
   */
  private static double bundleFirstStage(ExperimentConfig config, Path staging) throws IOException {
    Path source = Path.of(config.getSuperResolution().getFirstStage());
    ModelCard firstStage;
    try {
      firstStage = ModelCards.read(source);
    } catch (RuntimeException e) {
      throw new ConfigException("super_resolution.first_stage: " + e.getMessage(), e);
    }
    Path target = staging.resolve(ExportContract.FIRST_STAGE_DIR);
    try (Stream<Path> files = Files.walk(source)) {
      for (Path f : files.toList()) {
        Path to = target.resolve(source.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(to);
        } else {
          Files.copy(f, to);
        }
      }
    }
    return firstStage.getLatentScale();
  }
}
