package org.diffusiondepot.firststage;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.diffusiondepot.nn.Arithmetic;
import org.diffusiondepot.nn.MappedStore;
import org.diffusiondepot.nn.ParameterStore;
import org.diffusiondepot.nn.VariableStore;
import org.diffusiondepot.optim.AdamW;
import org.diffusiondepot.optim.Gradients;
import org.diffusiondepot.optim.LossScale;
import org.diffusiondepot.optim.Towers;
import org.diffusiondepot.proto.ExperimentConfig;
import org.diffusiondepot.proto.TrainConfig;
import org.diffusiondepot.train.BatchShards;
import org.diffusiondepot.train.TrainingLayout;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.SwitchCond;
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
 * <p>
 * The batch is split by {@link Towers} into one {@link FirstStageTower} per replica device and
 * micro-batch ({@link TrainingLayout}); the gradients of the autoencoder and of the discriminator
 * are averaged over the towers. Losses are reported as the mean over towers (each a mean over its
 * slice, so the batch's mean), code usage from the whole batch's histogram. The adaptive weight is
 * the whole batch's: from the towers' mean kernel gradients, applied to the sum of the towers' GAN
 * gradients (see {@link FirstStageTower}), so a split batch trains as the whole batch does, GAN
 * included, at the price of a second backprop through the autoencoder while the GAN runs. With one
 * tower the graph computes what it always did.
 * <p>
 * In fp16 the losses are scaled dynamically ({@link LossScale}, one scale for both networks): a
 * step with non-finite gradients is skipped and the step counter moves on; in fp32 and bf16 such a
 * step is not applied and the counter stays (the trainer then stops).
 * <p>
 * {@link #evaluate} runs a separate raw-weight pass on its own placeholder, for batches of any
 * size, always in fp32; the training pass's encoder and decoder compute their convolutions and
 * attention products in the arithmetic of {@code train.precision} ({@link Arithmetic}), the
 * discriminator, the perceptual network, the quantiser and every loss in fp32.
 */
public final class FirstStageTrainingGraph {
  public final Graph graph;
  public final FirstStageNetwork network;
  public final TrainingLayout layout;
  /**
   * Fed per step: images [B, S, S, C] in [-1, 1], B divisible by the layout's number of towers;
   * on a cluster only the chief's rows, from row {@link #chiefFirstRow}.
   */
  public final Placeholder<TFloat32> images;
  public final int chiefFirstRow;
  public final Operand<TFloat32> learningRate;
  /** Fed true once the discriminator has started; false (the default) keeps the GAN switched off. */
  public final Operand<TBool> ganActive;
  /** The training pass's outputs for the whole fed batch, joined over the towers in batch order. */
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
  /**
   * Updates the autoencoder and codebook, then step + 1; none of it when a loss or gradient is not
   * finite, except in fp16, where the step still counts and the loss scale halves.
   */
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
  /** The dynamic loss scale in fp16, null otherwise. */
  public final LossScale lossScale;
  private final InferencePass inference;

  public FirstStageTrainingGraph(ExperimentConfig config) {
    this(config, null);
  }

  /**
   * The encoder and decoder compute in the arithmetic of {@code train.precision}.
   *
   * @param perceptual the feature network of the perceptual loss, or null
   */
  public FirstStageTrainingGraph(ExperimentConfig config, PerceptualNetwork perceptual) {
    this(config, perceptual, Arithmetic.of(config.getTrain().getPrecision()));
  }

  /** As above in the given arithmetic, whatever the precision (fp16 loss scaling tested in fp32 on a CPU). */
  FirstStageTrainingGraph(ExperimentConfig config, PerceptualNetwork perceptual, Arithmetic arithmetic) {
    graph = new Graph();
    Ops tf = Ops.create(graph);
    TrainConfig train = config.getTrain();
    layout = TrainingLayout.of(train);
    network = FirstStageNetwork.fromConfig(config).in(arithmetic);
    FirstStageSpec spec = network.spec();
    AdamW.Hyper hyper = new AdamW.Hyper(train.getAdamBeta1(), train.getAdamBeta2(), train.getAdamEpsilon(),
        train.getWeightDecay());

    step = tf.withName("global_step").variable(tf.withInitScope().constant(0L));
    stepValue = tf.identity(step);
    int size = spec.imageSize();
    images = tf.withName("images").placeholder(TFloat32.class,
        Placeholder.shape(Shape.of(-1, size, size, spec.imageChannels())));
    learningRate = tf.withName("learning_rate").placeholderWithDefault(tf.constant(0f), Shape.scalar());
    lossScale = layout.lossScaling() ? new LossScale(tf, LossScale.INITIAL) : null;

    weights = new VariableStore(tf, FirstStageNetwork.ROOT, train.getSeed());
    List<Map<String, Variable<TFloat32>>> groups = new ArrayList<>(List.of(weights.variables()));
    if (spec.usesGan()) {
      ganActive = tf.withName("gan_active").placeholderWithDefault(tf.constant(false), Shape.scalar());
      discriminatorWeights = new VariableStore(tf, PatchDiscriminator.ROOT, train.getSeed() + 1);
      groups.add(discriminatorWeights.variables());
    } else {
      ganActive = null;
      discriminatorWeights = null;
    }
    int count = layout.towers().towers();
    if (spec.usesGan() && count > 1) {
      // objective 2 of the towers: the GAN term, for the autoencoder's variables again
      groups.add(weights.variables());
    }
    PatchDiscriminator discriminator = spec.usesGan() ? new PatchDiscriminator(spec) : null;
    List<FirstStageTower> parts = new ArrayList<>();
    // tower 0 creates the variables as the network asks for them; the others read them
    // on a cluster each worker's towers take the rows that worker read (train.BatchShards)
    Optional<List<BatchShards.Shard>> shards = BatchShards.plan(layout, train.getBatchSize());
    List<List<Operand<?>>> slices = shards.isEmpty() ? Towers.split(tf, List.of(images), count)
        : BatchShards.towerSlices(tf, shards.get(), FirstStageBatches.inputs(spec), List.of(images), stepValue,
            on -> List.of());
    chiefFirstRow = shards.map(s -> BatchShards.of(s, 0).rows().first()).orElse(0);
    Towers.Result towers = Towers.buildFromSlices(graph, tf, layout.towers(), slices, groups,
        lossScale == null ? null : lossScale.value(), (towerOps, index, slices1) -> {
          ParameterStore params = index == 0 ? weights
              : new MappedStore(towerOps, FirstStageNetwork.ROOT, weights.reads());
          FirstStageTower.Gan gan = discriminator == null ? null : new FirstStageTower.Gan(discriminator,
              index == 0 ? discriminatorWeights : new MappedStore(towerOps, PatchDiscriminator.ROOT,
                  discriminatorWeights.reads()), ganActive, spec.discriminatorWeight());
          FirstStageTower tower = new FirstStageTower(graph, towerOps, count == 1 ? "gradients" : "tower_" + index,
              network, params, perceptual, gan, lossScale == null ? null : lossScale.value(),
              slices1.get(0).asOutput().expect(TFloat32.class), count > 1);
          parts.add(tower);
          return new Towers.Tower(tower.loss, List.of(), tower.objectives);
        });

    reconstruction = tf.withName("reconstruction").identity(joined(tf, parts, t -> t.reconstruction));
    preQuantized = joined(tf, parts, t -> t.preQuantized);
    latents = joined(tf, parts, t -> t.latents);
    codeIndices = joined(tf, parts, t -> t.codeIndices);
    reconstructionLoss = tf.withName("reconstruction_loss").identity(mean(tf, parts, t -> t.reconstructionLoss));
    perceptualLoss = perceptual == null ? null : mean(tf, parts, t -> t.perceptualLoss);
    codebookLoss = mean(tf, parts, t -> t.quantized.codebookLoss());
    commitmentLoss = mean(tf, parts, t -> t.quantized.commitmentLoss());
    // code usage of the whole batch (one histogram), as one device measures it
    VectorQuantizer.Usage usage = count == 1
        ? new VectorQuantizer.Usage(parts.get(0).quantized.perplexity(), parts.get(0).quantized.usage())
        : network.quantizer().usage(tf, codeIndices);
    perplexity = usage.perplexity();
    codebookUsage = usage.fraction();
    if (spec.usesGan()) {
      generatorLoss = tf.withName("generator_loss").identity(mean(tf, parts, t -> t.generatorLoss));
      discriminatorLoss = tf.withName("discriminator_loss").identity(mean(tf, parts, t -> t.discriminatorLoss));
      adaptiveWeight = tf.withName("adaptive_weight").identity(count == 1 ? parts.get(0).adaptiveWeight
          : AdaptiveWeight.of(tf, mean(tf, parts, t -> t.reconstructionKernelGradient),
              mean(tf, parts, t -> t.ganKernelGradient), spec.discriminatorWeight()));
    } else {
      generatorLoss = null;
      discriminatorLoss = null;
      adaptiveWeight = null;
    }

    Map<String, Variable<TFloat32>> variables = weights.variables();
    List<Operand<TFloat32>> unclipped = towers.gradients();
    if (spec.usesGan() && count > 1) {
      // several towers: the batch's lambda times the GAN term's gradients, added while the GAN runs
      List<Operand<TFloat32>> ganGradients = towers.groupGradients().get(2);
      List<Operand<TFloat32>> combined = new ArrayList<>(unclipped.size());
      for (int i = 0; i < unclipped.size(); i++) {
        SwitchCond<TFloat32> fence = tf.switchCond(unclipped.get(i), ganActive);
        combined.add(tf.merge(List.of(fence.outputFalse(),
            tf.math.add(fence.outputTrue(), tf.math.mul(adaptiveWeight, ganGradients.get(i))))).output());
      }
      unclipped = combined;
    }
    gradientNorm = tf.withName("gradient_norm").identity(Gradients.globalNorm(tf, unclipped));
    Operand<TBool> finite = Gradients.finite(tf, towers.loss(tf), gradientNorm);
    List<Operand<TFloat32>> gradients = Gradients.whenFinite(tf,
        Gradients.clip(tf, unclipped, gradientNorm, train.getGradClipNorm()), finite);
    // the towers' GAN-term backprops read the weights but are dead until the GAN starts: the
    // updates do not wait for them (they could not run otherwise), and need not: every update
    // waits for the finiteness of the global gradient norm, which needs all their gradients
    List<String> ganScopes = new ArrayList<>();
    if (spec.usesGan() && count > 1) {
      for (int i = 0; i < count; i++) {
        ganScopes.add(Towers.gradientScope(count, i, 2) + "/");
      }
    }
    List<Op> updates = new ArrayList<>(AdamW.build(tf, variables, gradients, weights.reads(), learningRate,
        stepValue, hyper, reader -> ganScopes.stream().noneMatch(reader.name()::startsWith)).values());

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

    Operand<TBool> allFinite = finite;
    if (spec.usesGan()) {
      Variable<TInt64> discriminatorSteps = tf.withName("discriminator_step").variable(tf.withInitScope().constant(0L));
      Map<String, Variable<TFloat32>> dVariables = discriminatorWeights.variables();
      List<Operand<TFloat32>> dGradients = towers.groupGradients().get(1);
      Operand<TFloat32> dNorm = Gradients.globalNorm(tf, dGradients);
      Operand<TBool> dFinite = Gradients.finite(tf, discriminatorLoss, dNorm);
      dGradients = Gradients.whenFinite(tf, Gradients.clip(tf, dGradients, dNorm, train.getGradClipNorm()), dFinite);
      List<Op> dUpdates = new ArrayList<>(AdamW.build(tf, dVariables, dGradients, discriminatorWeights.reads(),
          learningRate, tf.identity(discriminatorSteps), hyper).values());
      discriminatorStep = tf.withControlDependencies(dUpdates).withName("discriminator_train_step")
          .assignAdd(discriminatorSteps, tf.constant(1L));
      if (lossScale != null) {
        // the scale is shared: an overflow in either network halves it (as one GradScaler for two
        // optimizers); the discriminator's finiteness exists only while the GAN runs
        SwitchCond<TBool> gate = tf.switchCond(finite, ganActive);
        allFinite = tf.merge(List.of(tf.identity(gate.outputFalse()),
            tf.math.logicalAnd(gate.outputTrue(), dFinite))).output();
      }
    } else {
      discriminatorStep = null;
    }

    if (lossScale == null) {
      autoencoderStep = tf.withControlDependencies(updates).withName("train_step").assignAdd(step, tf.constant(1L));
    } else {
      // fp16: a skipped step still counts, so that the data and the schedule move on
      Op counted = tf.withControlDependencies(List.of(Gradients.afterEither(tf, updates, finite)))
          .assignAdd(step, tf.constant(1L));
      autoencoderStep = tf.withControlDependencies(List.of(counted,
          lossScale.update(tf, allFinite, LossScale.GROWTH_INTERVAL))).withName("train_step").noOp();
    }

    // evaluations (PSNR, latent scale, previews) in fp32, as exports decode
    inference = new InferencePass(tf.withSubScope("evaluation"), network.in(Arithmetic.FP32), weights.reads());
  }

  /**
   * Reconstruction, code indices and latents of a batch of any size, in that order, from the
   * inference pass (the training pass needs a batch the layout divides).
   */
  public Result evaluate(Session session, TFloat32 batch) {
    return inference.run(session, batch);
  }

  public long parameterCount() {
    return weights.parameterCount();
  }

  /** One tower's output as it is, or every tower's joined along the batch in tower order. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private static <T extends org.tensorflow.types.family.TType> Operand<T> joined(Ops tf, List<FirstStageTower> towers,
      Function<FirstStageTower, Operand<T>> output) {
    if (towers.size() == 1) {
      return output.apply(towers.get(0));
    }
    List<Operand<T>> parts = towers.stream().map(output).toList();
    return tf.concat((List) parts, tf.constant(0));
  }

  /** A scalar of one tower as it is, or its mean over the towers (equal slices: the batch's mean). */
  private static Operand<TFloat32> mean(Ops tf, List<FirstStageTower> towers,
      Function<FirstStageTower, Operand<TFloat32>> scalar) {
    if (towers.size() == 1) {
      return scalar.apply(towers.get(0));
    }
    return tf.math.div(tf.math.addN(towers.stream().map(scalar).toList()), tf.constant((float) towers.size()));
  }

  static Operand<TFloat32> meanAll(Ops tf, Operand<TFloat32> x) {
    return tf.math.mean(x, Gradients.allAxes(tf, x));
  }
}
