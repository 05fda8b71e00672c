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
import org.diffusiondepot.nn.Arithmetic;
import org.diffusiondepot.proto.Precision;
import org.diffusiondepot.task.DiffusionTask;
import org.diffusiondepot.run.RunDirectory;
import org.diffusiondepot.task.ExportContract;
import org.diffusiondepot.sampler.ModelCards;
import org.tensorflow.Operand;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Writes a SavedModel for sampling from a diffusion run's latest checkpoint (through
 * {@link SavedModelExport}): an inference graph (no dropout) whose variables are the EMA weights,
 * with the {@link ExportContract#DENOISE} signature, and the model card beside it.
 * <p>
 * The inference variables are named like the training run's EMA shadows ({@code ema.unet.*}), so
 * the checkpoint restores straight into them with no copy ops left behind in the graph.
 */
public final class Exporter implements ExportedModel {
  static final String WEIGHTS_ROOT = "ema/" + Denoiser.ROOT;

  private final ExperimentConfig config;
  private final Denoiser denoiser;

  private Exporter(ExperimentConfig config, Denoiser denoiser) {
    this.config = config;
    this.denoiser = denoiser;
  }

  public static ModelCard export(Path runDir, Path exportDir, PrintStream out) throws IOException {
    return export(runDir, exportDir, out, Precision.FP32);
  }

  /** @param precision the arithmetic the sampler runs the network in */
  public static ModelCard export(Path runDir, Path exportDir, PrintStream out, Precision precision) throws IOException {
    return SavedModelExport.write(runDir, exportDir, out, (run, config) -> open(run, config, precision), precision);
  }

  /** The inference graph computes in the export's precision, whatever the run trained in. */
  private static Exporter open(RunDirectory run, ExperimentConfig config, Precision precision) throws IOException {
    List<String> classNames = Files.exists(run.classes())
        ? Files.readAllLines(run.classes(), StandardCharsets.UTF_8) : List.of();
    return new Exporter(config, Denoiser.of(config, DiffusionTask.of(config, classNames, null)).withoutDropout()
        .in(Arithmetic.of(precision)));
  }

  @Override
  public String weightsRoot() {
    return WEIGHTS_ROOT;
  }

  @Override
  public List<Signature> build(Ops tf, VariableStore weights) {
    int size = denoiser.modelSize();
    Placeholder<TFloat32> xt = tf.withName(ExportContract.X_T).placeholder(TFloat32.class,
        Placeholder.shape(Shape.of(-1, size, size, denoiser.modelChannels())));
    Placeholder<TInt32> t = tf.withName(ExportContract.T).placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
    ConditionInputs condition = denoiser.placeholders(tf);
    Operand<TFloat32> eps = tf.withName(ExportContract.EPS).identity(
        denoiser.predictNoise(tf, weights, xt, t, condition));
    Signature.Builder signature = Signature.builder().key(ExportContract.DENOISE).input(ExportContract.X_T, xt)
        .input(ExportContract.T, t).output(ExportContract.EPS, eps);
    condition.byName().forEach(signature::input);
    return List.of(signature.build());
  }

  @Override
  public ModelCard.Builder card(Path staging) throws IOException {
    ModelCard.Builder card = ModelCardFactory.fromConfig(config, denoiser.task());
    if (denoiser.task().latent()) {
      card.setLatentScale(bundleFirstStage(staging));
    }
    return card;
  }

  @Override
  public String summary(ModelCard card) {
    return String.format("EMA weights of step %d, %,d parameters", card.getTrainedSteps(), card.getParameters());
  }

  /**
   * Copies the run's frozen first stage into {@code EXPORT_DIR/first_stage}, so the export is
   * self-contained, and returns its latent scale.
   */
  private double bundleFirstStage(Path staging) throws IOException {
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
