package org.diffusiondepot.firststage;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.diffusiondepot.nn.VariableStore;
import org.diffusiondepot.proto.ExperimentConfig;
import org.diffusiondepot.proto.TrainConfig;
import org.diffusiondepot.optim.AdamW;
import org.diffusiondepot.optim.Gradients;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * The whole VQGAN training graph (Esser et al. 2021): autoencoder loss
 * <pre>
 *   L_AE = |x - x_rec|_1 [+ w_p perceptual] + codebook + beta commitment [+ lambda (-mean D(x_rec))]
 * </pre>
 * and the discriminator's hinge loss 0.5 (mean relu(1 - D(x)) + mean relu(1 + D(x_rec))), each
 * with its own AdamW (slots {@code optimizer/m|v/<var>}), their learning rate fed per step.
 * <p>
 * The GAN terms are fenced by Switch/Merge on {@link #ganActive}: before
 * {@code discriminator_start} the discriminator, its backprop and lambda do not run at all, and
 * the autoencoder's gradient is the same graph either way. To that end the autoencoder backprop is
 * split at the decoder output: d L / d x_rec (reconstruction part plus lambda times the GAN part)
 * is formed first and then pushed through decoder and encoder in one pass, together with the
 * codebook and commitment losses.
 */
public final class FirstStageTrainingGraph {
  public final Graph graph;
  public final FirstStageNetwork network;
  /** Fed per step: images [B, S, S, C] in [-1, 1]. */
  public final Placeholder<TFloat32> images;
  public final Operand<TFloat32> learningRate;
  /** Fed true once the discriminator has started; false (the default) keeps the GAN switched off. */
  public final Operand<TBool> ganActive;
  public final Operand<TFloat32> reconstruction;
  /** Quantised latents (codebook vectors), unscaled. */
  public final Operand<TFloat32> latents;
  /** Encoder output before quantisation, [B, S/f, S/f, embeddingDim]. */
  public final Operand<TFloat32> preQuantized;
  /** Index of the code chosen at each latent position, [B, S/f, S/f]. */
  public final Operand<TInt32> codeIndices;
  public final Operand<TFloat32> reconstructionLoss;
  public final Operand<TFloat32> perceptualLoss;
  public final Operand<TFloat32> codebookLoss;
  public final Operand<TFloat32> commitmentLoss;
  public final Operand<TFloat32> perplexity;
  public final Operand<TFloat32> codebookUsage;
  public final Operand<TFloat32> gradientNorm;
  /** GAN outputs: only when the spec uses a GAN, and only fetchable with ganActive fed true. */
  public final Operand<TFloat32> generatorLoss;
  public final Operand<TFloat32> discriminatorLoss;
  public final Operand<TFloat32> adaptiveWeight;
  /** Updates the autoencoder and codebook, then step + 1; none of it when a loss or gradient is not finite. */
  public final Op autoencoderStep;
  /** Updates the discriminator; run with autoencoderStep once the GAN is active. */
  public final Op discriminatorStep;
  public final Variable<TInt64> step;
  public final Operand<TInt64> stepValue;
  public final VariableStore weights;
  public final VariableStore discriminatorWeights;
  /** Codebook rows to overwrite [n] and their new values [n, embeddingDim], for {@link #restartCodes}. */
  public final Placeholder<TInt32> restartIndices;
  public final Placeholder<TFloat32> restartValues;
  /** Overwrites the fed codebook rows and zeroes their Adam moments. */
  public final Op restartCodes;

  public FirstStageTrainingGraph(ExperimentConfig config) {
    this(config, null);
  }

  /** @param perceptual the feature network of the perceptual loss, or null */
  public FirstStageTrainingGraph(ExperimentConfig config, PerceptualNetwork perceptual) {
    graph = new Graph();
    Ops tf = Ops.create(graph);
    TrainConfig train = config.getTrain();
    network = FirstStageNetwork.fromConfig(config);
    FirstStageSpec spec = network.spec();
    AdamW.Hyper hyper = new AdamW.Hyper(train.getAdamBeta1(), train.getAdamBeta2(), train.getAdamEpsilon(),
        train.getWeightDecay());

    step = tf.withName("global_step").variable(tf.withInitScope().constant(0L));
    stepValue = tf.identity(step);
    int size = spec.imageSize();
    images = tf.withName("images").placeholder(TFloat32.class,
        Placeholder.shape(Shape.of(-1, size, size, spec.imageChannels())));
    learningRate = tf.withName("learning_rate").placeholderWithDefault(tf.constant(0f), Shape.scalar());

    weights = new VariableStore(tf, FirstStageNetwork.ROOT, train.getSeed());
    Operand<TFloat32> z = network.preQuantization(tf, weights, images);
    VectorQuantizer.Quantized q = network.quantizer().apply(tf, weights, z);
    Decoder decoder = network.decoder();
    Operand<TFloat32> lastInput = decoder.lastLayerInput(tf, weights, network.postQuantization(tf, weights, q.zq()));
    reconstruction = tf.withName("reconstruction").identity(decoder.output(tf, weights, lastInput));
    preQuantized = z;
    latents = q.codes();
    codeIndices = q.indices();
    codebookLoss = q.codebookLoss();
    commitmentLoss = q.commitmentLoss();
    perplexity = q.perplexity();
    codebookUsage = q.usage();

    Operand<TFloat32> l1 = tf.math.mean(tf.math.abs(tf.math.sub(images, reconstruction)),
        tf.constant(new int[] {0, 1, 2, 3}));
    reconstructionLoss = tf.withName("reconstruction_loss").identity(l1);
    Operand<TFloat32> nll = l1;
    if (perceptual != null) {
      perceptualLoss = perceptual.distance(tf, images, reconstruction);
      nll = tf.math.add(l1, tf.math.mul(tf.constant((float) perceptual.weight()), perceptualLoss));
    } else {
      perceptualLoss = null;
    }
    Operand<TFloat32> vqLoss = tf.math.add(codebookLoss, commitmentLoss);
    Operand<TFloat32> imageGradient = gradient(graph, "gradients_rec", nll, reconstruction);

    if (spec.usesGan()) {
      ganActive = tf.withName("gan_active").placeholderWithDefault(tf.constant(false), Shape.scalar());
      Operand<TFloat32> real = tf.switchCond(images, ganActive).outputTrue();
      Operand<TFloat32> fake = tf.switchCond(reconstruction, ganActive).outputTrue();
      discriminatorWeights = new VariableStore(tf, PatchDiscriminator.ROOT, train.getSeed() + 1);
      Operand<TFloat32> logits = new PatchDiscriminator(spec).apply(tf, discriminatorWeights,
          tf.concat(List.of(real, fake), tf.constant(0)));
      var halves = tf.split(tf.constant(0), logits, 2L).output();
      Operand<TFloat32> realLogits = halves.get(0);
      Operand<TFloat32> fakeLogits = halves.get(1);
      generatorLoss = tf.withName("generator_loss").math.neg(meanAll(tf, fakeLogits));
      discriminatorLoss = tf.withName("discriminator_loss").math.mul(tf.constant(0.5f), tf.math.add(
          meanAll(tf, tf.nn.relu(tf.math.sub(tf.constant(1f), realLogits))),
          meanAll(tf, tf.nn.relu(tf.math.add(tf.constant(1f), fakeLogits)))));
      Operand<TFloat32> ganImageGradient = gradient(graph, "gradients_gan", generatorLoss, fake);
      Shape kernelShape = weights.variables().get(FirstStageNetwork.ROOT + "/" + Decoder.LAST_LAYER).shape();
      adaptiveWeight = tf.withName("adaptive_weight").identity(AdaptiveWeight.of(tf,
          AdaptiveWeight.kernelGradient(tf, lastInput, kernelShape, imageGradient),
          AdaptiveWeight.kernelGradient(tf, lastInput, kernelShape, ganImageGradient),
          spec.discriminatorWeight()));
      Operand<TFloat32> withGan = tf.math.add(imageGradient, tf.math.mul(adaptiveWeight, ganImageGradient));
      Operand<TFloat32> withoutGan = tf.switchCond(imageGradient, ganActive).outputFalse();
      imageGradient = tf.merge(List.of(withoutGan, withGan)).output();
    } else {
      ganActive = null;
      discriminatorWeights = null;
      generatorLoss = null;
      discriminatorLoss = null;
      adaptiveWeight = null;
    }

    Map<String, Variable<TFloat32>> variables = weights.variables();
    Output<?>[] raw = graph.addGradients("gradients_ae",
        new Output<?>[] {reconstruction.asOutput(), vqLoss.asOutput()},
        variables.values().stream().map(Variable::asOutput).toArray(Output[]::new),
        new Output<?>[] {imageGradient.asOutput(), tf.constant(1f).asOutput()});
    List<Operand<TFloat32>> unclipped = Gradients.of(tf, raw);
    gradientNorm = tf.withName("gradient_norm").identity(Gradients.globalNorm(tf, unclipped));
    List<Operand<TFloat32>> gradients = Gradients.whenFinite(tf,
        Gradients.clip(tf, unclipped, gradientNorm, train.getGradClipNorm()),
        Gradients.finite(tf, tf.math.add(nll, vqLoss), gradientNorm));
    List<Op> updates = new ArrayList<>(AdamW.build(tf, variables, gradients, weights.reads(), learningRate,
        stepValue, hyper).values());
    autoencoderStep = tf.withControlDependencies(updates).withName("train_step").assignAdd(step, tf.constant(1L));

    String codebookKey = FirstStageNetwork.ROOT + "/" + VectorQuantizer.CODEBOOK;
    restartIndices = tf.withName("restart_indices").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
    restartValues = tf.withName("restart_values").placeholder(TFloat32.class,
        Placeholder.shape(Shape.of(-1, spec.embeddingDim())));
    List<Op> restarts = new ArrayList<>();
    restarts.add(tf.scatterUpdate(variables.get(codebookKey), restartIndices, restartValues));
    for (String slot : List.of("optimizer/m/", "optimizer/v/")) {
      Output<TFloat32> moments = graph.operation(VariableStore.opName(slot + codebookKey)).output(0);
      restarts.add(tf.scatterUpdate(moments, restartIndices, tf.zerosLike(restartValues)));
    }
    restartCodes = tf.withControlDependencies(restarts).withName("restart_codes").noOp();

    if (spec.usesGan()) {
      Variable<TInt64> discriminatorSteps = tf.withName("discriminator_step").variable(tf.withInitScope().constant(0L));
      Map<String, Variable<TFloat32>> dVariables = discriminatorWeights.variables();
      Output<?>[] dRaw = graph.addGradients("gradients_disc", new Output<?>[] {discriminatorLoss.asOutput()},
          dVariables.values().stream().map(Variable::asOutput).toArray(Output[]::new), null);
      List<Operand<TFloat32>> dGradients = Gradients.of(tf, dRaw);
      Operand<TFloat32> dNorm = Gradients.globalNorm(tf, dGradients);
      dGradients = Gradients.whenFinite(tf, Gradients.clip(tf, dGradients, dNorm, train.getGradClipNorm()),
          Gradients.finite(tf, discriminatorLoss, dNorm));
      List<Op> dUpdates = new ArrayList<>(AdamW.build(tf, dVariables, dGradients, discriminatorWeights.reads(),
          learningRate, tf.identity(discriminatorSteps), hyper).values());
      discriminatorStep = tf.withControlDependencies(dUpdates).withName("discriminator_train_step")
          .assignAdd(discriminatorSteps, tf.constant(1L));
    } else {
      discriminatorStep = null;
    }
  }

  /**
   * Reconstruction, code indices and latents of a batch, in that order. Every evaluation uses this
   * one fetch set, so the session optimises it once rather than once per kind of evaluation.
   */
  public Result evaluate(Session session, TFloat32 batch) {
    return session.runner().feed(images, batch).fetch(reconstruction).fetch(codeIndices).fetch(latents).run();
  }

  public long parameterCount() {
    return weights.parameterCount();
  }

  private static Operand<TFloat32> gradient(Graph graph, String prefix, Operand<TFloat32> y, Operand<TFloat32> x) {
    return graph.addGradients(prefix, new Output<?>[] {y.asOutput()}, new Output<?>[] {x.asOutput()}, null)[0]
        .expect(TFloat32.class);
  }

  static Operand<TFloat32> meanAll(Ops tf, Operand<TFloat32> x) {
    return tf.math.mean(x, Gradients.allAxes(tf, x));
  }
}
