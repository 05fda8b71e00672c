package org.diffusiondepot.firststage;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import org.diffusiondepot.config.ConfigException;
import org.diffusiondepot.export.ExportedModel;
import org.diffusiondepot.export.SavedModelExport;
import org.diffusiondepot.nn.VariableStore;
import org.diffusiondepot.proto.ExperimentConfig;
import org.diffusiondepot.proto.ModelCard;
import org.diffusiondepot.proto.Task;
import org.diffusiondepot.run.RunDirectory;
import org.diffusiondepot.task.ExportContract;
import org.tensorflow.Operand;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * Writes a SavedModel of a first-stage run's latest checkpoint (through {@link SavedModelExport})
 * with two signatures, and {@code model_card.pbtxt} beside it:
 * <ul>
 *   <li>{@link ExportContract#ENCODE}: "image" [-1, S, S, C] in [-1, 1] -> "z" [-1, S/f, S/f, D],
 *       the quantised latents times the run's latent scale (what a diffusion model learns);
 *   <li>{@link ExportContract#DECODE}: "z" scaled latents -> "image" in [-1, 1]: z is divided by
 *       the scale, snapped to the nearest codes and decoded, then clipped.
 * </ul>
 * The graph is built fresh for inference (no discriminator, losses or optimizer) with the
 * training variable names, so the checkpoint restores straight into it.
 */
public final class FirstStageExporter implements ExportedModel {
  private final FirstStageNetwork network;
  private final double scale;

  private FirstStageExporter(FirstStageNetwork network, double scale) {
    this.network = network;
    this.scale = scale;
  }

  public static ModelCard export(Path runDir, Path exportDir, PrintStream out) throws IOException {
    return SavedModelExport.write(runDir, exportDir, out, FirstStageExporter::open);
  }

  private static FirstStageExporter open(RunDirectory run, ExperimentConfig config) throws IOException {
    if (config.getTask() != Task.FIRST_STAGE) {
      throw new ConfigException(run.config() + ": task is " + config.getTask()
          + "; this exporter writes FIRST_STAGE (VQGAN) runs, use the diffusion export for the others");
    }
    return new FirstStageExporter(FirstStageNetwork.fromConfig(config), LatentScale.read(run.root()));
  }

  @Override
  public String weightsRoot() {
    return FirstStageNetwork.ROOT;
  }

  @Override
  public List<Signature> build(Ops tf, VariableStore weights) {
    FirstStageSpec spec = network.spec();
    int size = spec.imageSize();
    int latent = spec.latentSize();
    Placeholder<TFloat32> image = tf.withName(ExportContract.IMAGE).placeholder(TFloat32.class,
        Placeholder.shape(Shape.of(-1, size, size, spec.imageChannels())));
    Operand<TFloat32> z = tf.withName("encode_z").math.mul(network.encode(tf, weights, image),
        tf.constant((float) scale));
    Placeholder<TFloat32> zIn = tf.withName(ExportContract.Z).placeholder(TFloat32.class,
        Placeholder.shape(Shape.of(-1, latent, latent, spec.embeddingDim())));
    Operand<TFloat32> decoded = network.decode(tf, weights, tf.math.div(zIn, tf.constant((float) scale)));
    Operand<TFloat32> imageOut = tf.withName("decode_image").clipByValue(decoded, tf.constant(-1f), tf.constant(1f));
    return List.of(
        Signature.builder().key(ExportContract.ENCODE).input(ExportContract.IMAGE, image)
            .output(ExportContract.Z, z).build(),
        Signature.builder().key(ExportContract.DECODE).input(ExportContract.Z, zIn)
            .output(ExportContract.IMAGE, imageOut).build());
  }

  @Override
  public ModelCard.Builder card(Path staging) {
    FirstStageSpec spec = network.spec();
    return ModelCard.newBuilder()
        .setImageSize(spec.imageSize())
        .setImageChannels(spec.imageChannels())
        .setModelSize(spec.latentSize())
        .setModelChannels(spec.embeddingDim())
        .setFirstStageFactor(spec.factor())
        .setLatentScale(scale);
  }

  @Override
  public String summary(ModelCard card) {
    return String.format("VQGAN f = %d, step %d, %,d parameters, latent scale %.5f", network.spec().factor(),
        card.getTrainedSteps(), card.getParameters(), scale);
  }
}
