package org.diffusiondepot.firststage;

import java.util.Map;
import org.diffusiondepot.nn.MappedStore;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The autoencoder of a training graph on fed batches of any size, with the weights being trained
 * (read through a {@link MappedStore}): what reconstruction reports, the latent scale and previews
 * run. The training pass splits its batch into towers and so needs a batch the layout divides;
 * this pass is one whole batch on its own placeholder.
 */
final class InferencePass {
  /** Images [B, S, S, C] in [-1, 1], any B. */
  final Placeholder<TFloat32> images;
  final Operand<TFloat32> reconstruction;
  final Operand<TInt32> codeIndices;
  /** Quantised latents (codebook vectors), unscaled. */
  final Operand<TFloat32> latents;

  /**
   * @param tf ops in a scope of their own
   * @param weights the reads of the training variables, keyed by checkpoint name
   */
  InferencePass(Ops tf, FirstStageNetwork network, Map<String, ? extends Operand<TFloat32>> weights) {
    FirstStageSpec spec = network.spec();
    images = tf.withName("images").placeholder(TFloat32.class,
        Placeholder.shape(Shape.of(-1, spec.imageSize(), spec.imageSize(), spec.imageChannels())));
    MappedStore params = new MappedStore(tf, FirstStageNetwork.ROOT, weights);
    VectorQuantizer.Quantized q = network.quantizer().apply(tf, params, network.preQuantization(tf, params, images));
    reconstruction = tf.withName("reconstruction").identity(network.decodeQuantized(tf, params, q.zq()));
    codeIndices = q.indices();
    latents = q.codes();
  }

  /**
   * Reconstruction, code indices and latents of a batch, in that order. Every evaluation uses this
   * one fetch set, so the session optimises it once rather than once per kind of evaluation.
   */
  Result run(Session session, TFloat32 batch) {
    return session.runner().feed(images, batch).fetch(reconstruction).fetch(codeIndices).fetch(latents).run();
  }
}
