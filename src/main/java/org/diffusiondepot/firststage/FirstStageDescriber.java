package org.diffusiondepot.firststage;

import java.util.Map;
import org.diffusiondepot.nn.CountingStore;
import org.diffusiondepot.proto.ExperimentConfig;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * A readable summary of a first-stage config, counted from graphs of placeholders (no weights are
 * allocated). The last line, {@code parameters: N}, counts the autoencoder and codebook (what the
 * latent diffusion model uses); the discriminator is listed on its own line above it.
 */
public final class FirstStageDescriber {
  private FirstStageDescriber() {}

  public static String describe(ExperimentConfig config) {
    FirstStageNetwork network = FirstStageNetwork.fromConfig(config);
    FirstStageSpec spec = network.spec();
    Map<String, Shape> autoencoder;
    long discriminator = 0;
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      CountingStore store = new CountingStore(tf);
      Operand<TFloat32> image = tf.placeholder(TFloat32.class,
          Placeholder.shape(Shape.of(-1, spec.imageSize(), spec.imageSize(), spec.imageChannels())));
      VectorQuantizer.Quantized q = network.quantizer().apply(tf, store, network.preQuantization(tf, store, image));
      network.decodeQuantized(tf, store, q.zq());
      autoencoder = store.shapes();
      if (spec.usesGan()) {
        CountingStore d = new CountingStore(tf);
        new PatchDiscriminator(spec).apply(tf, d, image);
        discriminator = d.parameterCount();
      }
    }
    StringBuilder sb = new StringBuilder();
    int size = spec.imageSize();
    int latent = spec.latentSize();
    sb.append(String.format("VQGAN first stage: %dx%dx%d -> z %dx%dx%d (f = %d), latent scale measured after training%n",
        size, size, spec.imageChannels(), latent, latent, spec.embeddingDim(), spec.factor()));
    sb.append(String.format("encoder: base %d, mults %s, %d ResNet blocks per level (3x3, GroupNorm %d, SiLU), %s%n",
        spec.baseChannels(), spec.channelMults(), spec.blocksPerLevel(), spec.groups(),
        spec.attention() ? "self-attention at " + latent + "x" + latent + " (lowest level and middle)" : "no attention"));
    int res = size;
    for (int level = 0; level < spec.levels(); level++) {
      sb.append(String.format("  level %d: %4dpx %5d channels   down %,12d   up %,12d params%n", level, res,
          spec.width(level), sum(autoencoder, "encoder/down" + level + "/"), sum(autoencoder, "decoder/up" + level + "/")));
      res /= 2;
    }
    sb.append(String.format("  middle (block, %sblock)        encoder %,12d   decoder %,12d params%n",
        spec.attention() ? "attention, " : "", sum(autoencoder, "encoder/mid/"), sum(autoencoder, "decoder/mid/")));
    sb.append(String.format("encoder %,d params (conv_out to %d channels), decoder %,d params (%d blocks per level)%n",
        sum(autoencoder, "encoder/"), spec.latentChannels(), sum(autoencoder, "decoder/"), spec.blocksPerLevel() + 1));
    sb.append(String.format("quantizer: 1x1 quant_conv %d -> %d, codebook %d x %d, commitment beta %.3g, "
            + "1x1 post_quant_conv %d -> %d: %,d params%n", spec.latentChannels(), spec.embeddingDim(),
        spec.codebookSize(), spec.embeddingDim(), spec.commitmentBeta(), spec.embeddingDim(), spec.latentChannels(),
        sum(autoencoder, FirstStageNetwork.QUANT_CONV + "/") + sum(autoencoder, "quantizer/")
            + sum(autoencoder, FirstStageNetwork.POST_QUANT_CONV + "/")));
    String perceptual = config.getFirstStage().getPerceptualModel();
    sb.append(perceptual.isEmpty() ? "losses: L1 + codebook + commitment\n"
        : String.format("losses: L1 + %.3g x perceptual (features of %s) + codebook + commitment%n",
            config.getFirstStage().getPerceptualWeight() > 0 ? config.getFirstStage().getPerceptualWeight() : 1.0,
            perceptual));
    if (spec.usesGan()) {
      int logits = new PatchDiscriminator(spec).outputSize(size);
      sb.append(String.format("discriminator (PatchGAN, trained alongside, not part of the first stage): %d layers, "
              + "%d channels, %dx%d logits, from step %d, weight %.3g x adaptive: %,d params%n",
          spec.discriminatorLayers(), spec.discriminatorChannels(), logits, logits, spec.discriminatorStart(),
          spec.discriminatorWeight(), discriminator));
    } else {
      sb.append("discriminator: none (first_stage.discriminator_weight is 0)\n");
    }
    long total = autoencoder.values().stream().mapToLong(Shape::size).sum();
    sb.append(String.format("parameters: %d%n", total));
    return sb.toString();
  }

  private static long sum(Map<String, Shape> parameters, String prefix) {
    return parameters.entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
        .mapToLong(e -> e.getValue().size()).sum();
  }
}
