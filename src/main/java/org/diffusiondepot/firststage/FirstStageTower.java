package org.diffusiondepot.firststage;

import java.util.List;
import org.diffusiondepot.nn.ParameterStore;
import org.diffusiondepot.optim.Towers;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.SwitchCond;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * What one slice of the batch computes in the VQGAN training graph, one {@link Towers} tower:
 * encoder, quantiser and decoder, the losses (means over the slice), the gradient of the
 * reconstruction loss with respect to the reconstructed image and, when the spec has a GAN, the
 * discriminator on the slice's real and reconstructed images, the generator's image gradient and
 * the adaptive weight, all fenced by Switch/Merge on {@code gan_active}.
 * <p>
 * The autoencoder is differentiated through the image gradient: objective 0 is
 * {@code ys = [reconstruction, vq loss]}, {@code dys = [image gradient, 1]}; objective 1 (with a
 * GAN) is the discriminator's hinge loss.
 * <p>
 * The adaptive weight lambda is a ratio of gradient norms of the whole batch, which no tower can
 * measure on its own slice. A lone tower (one device, no accumulation) folds its lambda into the
 * image gradient, one backprop through the autoencoder. Among several towers ({@code shared}),
 * each tower only hands out the two kernel gradients of its slice (linear in the slice, so their
 * mean over the towers is the batch's), and the GAN part of the image gradient becomes objective
 * 2, {@code ys = [reconstruction]}, {@code dys = [GAN image gradient]}, for the autoencoder's
 * variables again: the graph weighs the sum of objective 2's gradients by the batch's lambda and
 * adds it to objective 0's. That costs a second backprop through the autoencoder while the GAN
 * runs, and makes a split batch train as the whole batch does.
 * <p>
 * Under dynamic loss scaling the image gradients are taken of the scaled losses, so that the
 * decoder's backprop starts from scaled values (an unscaled L1 gradient is 1 / elements of the
 * slice, which fp16 flushes towards zero); objective 0 is then marked as already scaled. The kernel
 * gradients of the adaptive weight are unscaled before their norms, so lambda is the same with or
 * without a scale.
 */
final class FirstStageTower {
  final Operand<TFloat32> reconstruction;
  final Operand<TInt32> codeIndices;
  /** Quantised latents (codebook vectors), unscaled. */
  final Operand<TFloat32> latents;
  final Operand<TFloat32> preQuantized;
  final VectorQuantizer.Quantized quantized;
  final Operand<TFloat32> reconstructionLoss;
  /** Null without a perceptual network. */
  final Operand<TFloat32> perceptualLoss;
  /** What the autoencoder minimises apart from the GAN term: reconstruction (+ perceptual) + codebook + commitment. */
  final Operand<TFloat32> loss;
  /** Null without a GAN; dead unless gan_active is fed true. */
  final Operand<TFloat32> generatorLoss;
  final Operand<TFloat32> discriminatorLoss;
  /** This tower's own lambda (lone tower), or null when the graph computes the batch's ({@code shared}). */
  final Operand<TFloat32> adaptiveWeight;
  /**
   * With a GAN: d L_rec / d kernel and d L_gan / d kernel of the decoder's last conv on this slice,
   * unscaled, alive only while the GAN runs; null without a GAN.
   */
  final Operand<TFloat32> reconstructionKernelGradient;
  final Operand<TFloat32> ganKernelGradient;
  final List<Towers.Objective> objectives;

  /** The discriminator of a tower: its network, where it reads its weights and the switch of the GAN. */
  record Gan(PatchDiscriminator discriminator, ParameterStore params, Operand<TBool> active, double weight) {}

  /**
   * @param prefix unique per tower, for the names of the image-gradient ops
   * @param params the autoencoder's weights for this tower
   * @param perceptual the feature network of the perceptual loss, or null
   * @param gan the tower's discriminator, or null without a GAN
   * @param lossScale the dynamic loss scale, or null
   * @param images this tower's slice of the batch, [n, S, S, C]
   * @param shared one of several towers: lambda is the batch's, and the GAN term objective 2
   */
  FirstStageTower(Graph graph, Ops tf, String prefix, FirstStageNetwork network, ParameterStore params,
      PerceptualNetwork perceptual, Gan gan, Operand<TFloat32> lossScale,
      Operand<TFloat32> images, boolean shared) {
    preQuantized = network.preQuantization(tf, params, images);
    quantized = network.quantizer().apply(tf, params, preQuantized);
    latents = quantized.codes();
    codeIndices = quantized.indices();
    Decoder decoder = network.decoder();
    Operand<TFloat32> lastInput = decoder.lastLayerInput(tf, params,
        network.postQuantization(tf, params, quantized.zq()));
    reconstruction = decoder.output(tf, params, lastInput);

    reconstructionLoss = tf.math.mean(tf.math.abs(tf.math.sub(images, reconstruction)),
        tf.constant(new int[] {0, 1, 2, 3}));
    Operand<TFloat32> nll = reconstructionLoss;
    if (perceptual != null) {
      perceptualLoss = perceptual.distance(tf, images, reconstruction);
      nll = tf.math.add(nll, tf.math.mul(tf.constant((float) perceptual.weight()), perceptualLoss));
    } else {
      perceptualLoss = null;
    }
    Operand<TFloat32> vqLoss = tf.math.add(quantized.codebookLoss(), quantized.commitmentLoss());
    loss = tf.math.add(nll, vqLoss);
    Operand<TFloat32> imageGradient = gradient(graph, prefix + "_rec", scaled(tf, nll, lossScale), reconstruction);

    Towers.Objective ganObjective = null;
    if (gan != null) {
      Operand<TFloat32> real = tf.switchCond(images, gan.active()).outputTrue();
      Operand<TFloat32> fake = tf.switchCond(reconstruction, gan.active()).outputTrue();
      Operand<TFloat32> logits = gan.discriminator().apply(tf, gan.params(),
          tf.concat(List.of(real, fake), tf.constant(0)));
      var halves = tf.split(tf.constant(0), logits, 2L).output();
      Operand<TFloat32> realLogits = halves.get(0);
      Operand<TFloat32> fakeLogits = halves.get(1);
      generatorLoss = tf.math.neg(FirstStageTrainingGraph.meanAll(tf, fakeLogits));
      discriminatorLoss = tf.math.mul(tf.constant(0.5f), tf.math.add(
          FirstStageTrainingGraph.meanAll(tf, tf.nn.relu(tf.math.sub(tf.constant(1f), realLogits))),
          FirstStageTrainingGraph.meanAll(tf, tf.nn.relu(tf.math.add(tf.constant(1f), fakeLogits)))));
      Operand<TFloat32> ganImageGradient = gradient(graph, prefix + "_gan", scaled(tf, generatorLoss, lossScale),
          fake);
      // one switch for both sides: the reconstruction's kernel gradient, too, only runs with the GAN
      SwitchCond<TFloat32> fence = tf.switchCond(imageGradient, gan.active());
      Shape lastKernelShape = decoder.lastLayerShape();
      reconstructionKernelGradient = unscaled(tf,
          AdaptiveWeight.kernelGradient(tf, lastInput, lastKernelShape, fence.outputTrue()), lossScale);
      ganKernelGradient = unscaled(tf,
          AdaptiveWeight.kernelGradient(tf, lastInput, lastKernelShape, ganImageGradient), lossScale);
      if (shared) {
        adaptiveWeight = null;
        ganObjective = new Towers.Objective(List.of(reconstruction), List.of(ganImageGradient), lossScale != null);
      } else {
        adaptiveWeight = AdaptiveWeight.of(tf, reconstructionKernelGradient, ganKernelGradient, gan.weight());
        Operand<TFloat32> withGan = tf.math.add(fence.outputTrue(), tf.math.mul(adaptiveWeight, ganImageGradient));
        imageGradient = tf.merge(List.of(fence.outputFalse(), withGan)).output();
      }
    } else {
      generatorLoss = null;
      discriminatorLoss = null;
      adaptiveWeight = null;
      reconstructionKernelGradient = null;
      ganKernelGradient = null;
    }
    Towers.Objective autoencoder = new Towers.Objective(List.of(reconstruction, vqLoss),
        List.of(imageGradient, lossScale == null ? tf.constant(1f) : lossScale), lossScale != null);
    if (gan == null) {
      objectives = List.of(autoencoder);
    } else {
      Towers.Objective discriminator = new Towers.Objective(List.of(discriminatorLoss), null);
      objectives = ganObjective == null ? List.of(autoencoder, discriminator)
          : List.of(autoencoder, discriminator, ganObjective);
    }
  }

  private static Operand<TFloat32> gradient(Graph graph, String prefix, Operand<TFloat32> y, Operand<TFloat32> x) {
    return graph.addGradients(prefix, new Output<?>[] {y.asOutput()}, new Output<?>[] {x.asOutput()}, null)[0]
        .expect(TFloat32.class);
  }

  private static Operand<TFloat32> scaled(Ops tf, Operand<TFloat32> x, Operand<TFloat32> lossScale) {
    return lossScale == null ? x : tf.math.mul(x, lossScale);
  }

  private static Operand<TFloat32> unscaled(Ops tf, Operand<TFloat32> x, Operand<TFloat32> lossScale) {
    return lossScale == null ? x : tf.math.div(x, lossScale);
  }
}
