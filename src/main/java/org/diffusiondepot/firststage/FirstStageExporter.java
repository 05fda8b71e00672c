package org.diffusiondepot.firststage;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import org.diffusiondepot.config.ConfigException;
import org.diffusiondepot.export.ExportDirectory;
import org.diffusiondepot.config.ConfigLoader;
import org.diffusiondepot.nn.VariableStore;
import org.diffusiondepot.proto.ExperimentConfig;
import org.diffusiondepot.proto.ModelCard;
import org.diffusiondepot.proto.Task;
import org.diffusiondepot.runtime.SessionConfigs;
import org.diffusiondepot.sampler.ExportContract;
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

/**
 * Writes a SavedModel (tag "serve") of a first-stage run's latest checkpoint with two signatures,
 * and {@code model_card.pbtxt} beside it:
 * <ul>
 *   <li>{@code encode}: "image" [-1, S, S, C] in [-1, 1] -> "z" [-1, S/f, S/f, D], the quantised
 *       latents times the run's latent scale (what a diffusion model learns);
 *   <li>{@code decode}: "z" scaled latents -> "image" in [-1, 1]: z is divided by the scale,
 *       snapped to the nearest codes and decoded, then clipped.
 * </ul>
 * The graph is built fresh for inference (no discriminator, losses or optimizer) with the
 * training variable names, so the checkpoint restores straight into it.
 */
public final class FirstStageExporter {
  private FirstStageExporter() {}

  public static ModelCard export(Path runDir, Path exportDir, PrintStream out) throws IOException {
    RunDirectory run = new RunDirectory(runDir);
    ExperimentConfig config = run.loadConfig();
    if (config.getTask() != Task.FIRST_STAGE) {
      throw new ConfigException(run.config() + ": task is " + config.getTask()
          + "; this exporter writes FIRST_STAGE (VQGAN) runs, use the diffusion export for the others");
    }
    Path checkpoint = new CheckpointStore(run.checkpoints(), 1).latest().orElseThrow(() -> new ConfigException(
        runDir + " has no checkpoint yet; train first: tools/depot train CONFIG --data DIR|builtin --out " + runDir));
    double scale = LatentScale.read(runDir);
    FirstStageNetwork network = FirstStageNetwork.fromConfig(config);
    FirstStageSpec spec = network.spec();
    Path staging = ExportDirectory.prepareTarget(exportDir);
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      VariableStore weights = VariableStore.forRestore(tf, FirstStageNetwork.ROOT);
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
      try (Session session = new Session(graph, SessionConfigs.cpu())) {
        ExportDirectory.restore(session, checkpoint, runDir);
        SavedModelBundle.exporter(staging.toString()).withSession(session).withSignatures(
            Signature.builder().key(ExportContract.ENCODE).input(ExportContract.IMAGE, image)
                .output(ExportContract.Z, z).build(),
            Signature.builder().key(ExportContract.DECODE).input(ExportContract.Z, zIn)
                .output(ExportContract.IMAGE, imageOut).build()).export();
      }
      ModelCard card = ModelCard.newBuilder()
          .setName(config.getName())
          .setTask(Task.FIRST_STAGE)
          .setImageSize(size)
          .setImageChannels(spec.imageChannels())
          .setModelSize(latent)
          .setModelChannels(spec.embeddingDim())
          .setFirstStageFactor(spec.factor())
          .setLatentScale(scale)
          .setTrainedSteps(CheckpointStore.stepOf(checkpoint))
          .setParameters(weights.parameterCount())
          .setSourceConfig(ConfigLoader.toText(config))
          .setCreated(Instant.now().toString())
          .build();
      ModelCards.write(card, staging);
      ExportDirectory.publish(staging, exportDir);
      out.printf("exported %s (VQGAN f = %d, step %d, %,d parameters, latent scale %.5f) to %s%n", config.getName(),
          spec.factor(), card.getTrainedSteps(), card.getParameters(), scale, exportDir);
      return card;
    } finally {
      ExportDirectory.deleteRecursively(staging);
    }
  }
}
