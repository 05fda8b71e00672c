package org.diffusiondepot.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.diffusiondepot.diffusion.ConditionInputs;
import org.diffusiondepot.diffusion.Denoiser;
import org.diffusiondepot.diffusion.DiffusionLoss;
import org.diffusiondepot.nn.MappedStore;
import org.diffusiondepot.nn.Recomputation;
import org.diffusiondepot.nn.ParameterStore;
import org.diffusiondepot.nn.VariableStore;
import org.diffusiondepot.optim.AdamW;
import org.diffusiondepot.optim.Ema;
import org.diffusiondepot.optim.Gradients;
import org.diffusiondepot.optim.LossScale;
import org.diffusiondepot.optim.Towers;
import org.diffusiondepot.proto.ExperimentConfig;
import org.diffusiondepot.proto.Prediction;
import org.diffusiondepot.proto.TrainConfig;
import org.diffusiondepot.schedule.NoiseSchedule;
import org.diffusiondepot.task.ExportContract;
import org.diffusiondepot.task.SignatureInput;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
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
 * The whole training graph of a denoiser: epsilon-MSE loss on q(x_t | x_0) with t and noise drawn
 * in-graph from stateless generators keyed by the step (so a resumed run draws what an
 * uninterrupted one would), gradients, optional global-norm clipping, AdamW, EMA and the step
 * counter, plus forward passes for validation (raw weights) and sample previews (EMA weights).
 * <p>
 * The loss is built by {@link Towers}: one tower per replica device and micro-batch
 * ({@link TrainingLayout}); t and noise are drawn for the whole batch before it is split, so every
 * layout trains on the same draws. On a cluster each worker's towers take its own rows
 * ({@link BatchShards}) and each worker makes the same whole-batch draws and keeps its rows. In fp16 the loss is scaled dynamically ({@link LossScale}): a
 * step with non-finite gradients is skipped and the step counter moves on; in fp32 and bf16 such a
 * step stops the run (the counter stays, see {@link TrainLoop}).
 */
public final class TrainingGraph {
  public final Graph graph;
  public final Denoiser denoiser;
  public final TrainingLayout layout;
  /** Whether the UNet's blocks are rebuilt for the backward pass ({@code train.recompute}). */
  public final boolean recompute;
  /**
   * Fed per step: clean images [B, S, S, C] in [-1, 1]; on a cluster only the chief's rows of the
   * batch, from row {@link #chiefFirstRow} (the other workers feed theirs, see {@link BatchShards}).
   */
  public final Placeholder<TFloat32> x0;
  public final int chiefFirstRow;
  /** What a step's batch consists of, in the order workers put their rows: x0, then the conditioning. */
  public final List<SignatureInput> batchInputs;
  public final ConditionInputs condition;
  /** Fed per step from the schedule. */
  public final Operand<TFloat32> learningRate;
  /** Timesteps and noise: drawn in-graph unless fed (tests feed them). */
  public final Operand<TInt32> t;
  public final Operand<TFloat32> noise;
  public final Operand<TFloat32> perExampleLoss;
  public final Operand<TFloat32> loss;
  public final Operand<TFloat32> gradientNorm;
  /**
   * Runs one full update: AdamW, EMA, step + 1. When the loss or a gradient is not finite the
   * update is not applied; in fp16 the step still counts (and the loss scale halves).
   */
  public final Op trainStep;
  public final Variable<TInt64> step;
  public final Operand<TInt64> stepValue;
  /** Sets every EMA shadow to its weight: run once on a fresh run, after initialisation. */
  public final Op initEma;
  public final VariableStore weights;
  public final Map<String, Variable<TFloat32>> emaShadows;
  /** The dynamic loss scale in fp16, null otherwise. */
  public final LossScale lossScale;

  /** Raw-weight forward pass on fed validation batches of any size: per-example eps-MSE. */
  public final Placeholder<TFloat32> validationX0;
  public final Placeholder<TInt32> validationT;
  public final Placeholder<TFloat32> validationNoise;
  public final ConditionInputs validationCondition;
  public final Operand<TFloat32> validationLoss;

  /** EMA-weight forward pass for previews. */
  public final Placeholder<TFloat32> sampleXt;
  public final Placeholder<TInt32> sampleT;
  public final ConditionInputs sampleCondition;
  public final Operand<TFloat32> sampleEps;

  public TrainingGraph(ExperimentConfig config) {
    graph = new Graph();
    Ops tf = Ops.create(graph);
    TrainConfig train = config.getTrain();
    layout = TrainingLayout.of(train);
    recompute = train.getRecompute();
    denoiser = Denoiser.fromConfig(config);
    NoiseSchedule schedule = NoiseSchedule.fromConfig(config.getDiffusion());
    Prediction prediction = config.getDiffusion().getPrediction();
    int size = denoiser.modelSize();
    int channels = denoiser.modelChannels();

    step = tf.withName("global_step").variable(tf.withInitScope().constant(0L));
    stepValue = tf.identity(step);

    x0 = tf.withName("x0").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, size, size, channels)));
    condition = denoiser.placeholders(tf);
    learningRate = tf.withName("learning_rate").placeholderWithDefault(tf.constant(0f), Shape.scalar());

    long seed = train.getSeed();
    Optional<List<BatchShards.Shard>> shards = BatchShards.plan(layout, train.getBatchSize());
    batchInputs = DiffusionBatches.inputs(denoiser.task());
    // On a cluster every worker draws for the whole batch itself (the batch size is the config's)
    // and keeps its rows; on one machine the batch is whatever is fed.
    Operand<TInt32> batch = shards.isPresent() ? tf.constant(new int[] {train.getBatchSize()})
        : tf.slice(tf.shape(x0), tf.constant(new int[] {0}), tf.constant(new int[] {1}));
    Function<Ops, List<Operand<?>>> draws = on -> {
      Operand<TInt64> tSeed = on.stack(List.of(on.constant(seed), stepValue));
      Operand<TInt64> noiseSeed = on.stack(List.of(on.constant(seed + 1), stepValue));
      Operand<TInt32> shape = on.concat(List.of(batch, on.constant(new int[] {size, size, channels})), on.constant(0));
      return List.of(
          on.random.statelessRandomUniformInt(batch, tSeed, on.constant(0), on.constant(schedule.timesteps())),
          on.random.statelessRandomNormal(shape, noiseSeed, TFloat32.class));
    };
    List<Operand<?>> drawn = draws.apply(tf);
    t = tf.withName("t").placeholderWithDefault(drawn.get(0).asOutput().expect(TInt32.class), Shape.of(-1));
    noise = tf.withName("noise").placeholderWithDefault(drawn.get(1).asOutput().expect(TFloat32.class),
        Shape.of(-1, size, size, channels));

    weights = new VariableStore(tf, Denoiser.ROOT, seed);
    lossScale = layout.lossScaling() ? new LossScale(tf, LossScale.INITIAL) : null;
    List<String> conditionNames = List.copyOf(condition.byName().keySet());
    List<List<Operand<?>>> slices;
    if (shards.isEmpty()) {
      List<Operand<?>> inputs = new ArrayList<>(List.of(x0, t, noise));
      inputs.addAll(condition.byName().values());
      slices = Towers.split(tf, inputs, layout.towers().towers());
      chiefFirstRow = 0;
    } else {
      List<Operand<?>> fed = new ArrayList<>(List.of(x0));
      fed.addAll(condition.byName().values());
      slices = new ArrayList<>();
      for (List<Operand<?>> tower : BatchShards.towerSlices(tf, shards.get(), batchInputs,
          fed, stepValue, draws)) {
        // [x0, conditioning..., t, noise] -> [x0, t, noise, conditioning...]
        List<Operand<?>> ordered = new ArrayList<>(List.of(tower.get(0), tower.get(tower.size() - 2),
            tower.get(tower.size() - 1)));
        ordered.addAll(tower.subList(1, tower.size() - 2));
        slices.add(ordered);
      }
      chiefFirstRow = BatchShards.of(shards.get(), 0).rows().first();
    }
    Towers.Result towers = Towers.buildFromSlices(graph, tf, layout.towers(), slices, List.of(weights.variables()),
        lossScale == null ? null : lossScale.value(), (towerOps, index, slices1) -> {
          ParameterStore params = index == 0 ? weights : new MappedStore(towerOps, Denoiser.ROOT, weights.reads());
          Recomputation recomputation = recompute ? new Recomputation(Denoiser.ROOT) : null;
          Operand<TFloat32> perExample = perExampleLoss(towerOps, new DiffusionLoss(towerOps, schedule, prediction), denoiser, params,
              slices1, conditionNames, recomputation);
          Towers.Tower tower = new Towers.Tower(towerOps.math.mean(perExample, towerOps.constant(0)), List.of(perExample));
          return recomputation == null ? tower : tower.differentiatedBy(recomputation::gradients);
        });
    perExampleLoss = tf.withName("per_example_loss").identity(towers.joined(tf, 0).asOutput().expect(TFloat32.class));
    loss = tf.withName("loss").identity(towers.loss(tf));

    Map<String, Variable<TFloat32>> variables = weights.variables();
    List<Operand<TFloat32>> gradients = towers.gradients();
    gradientNorm = tf.withName("gradient_norm").identity(Gradients.globalNorm(tf, gradients));
    gradients = Gradients.clip(tf, gradients, gradientNorm, train.getGradClipNorm());
    Operand<TBool> finite = Gradients.finite(tf, loss, gradientNorm);
    gradients = Gradients.whenFinite(tf, gradients, finite);
    List<Op> updates = new ArrayList<>(AdamW.build(tf, variables, gradients, weights.reads(), learningRate,
        stepValue, new AdamW.Hyper(train.getAdamBeta1(), train.getAdamBeta2(), train.getAdamEpsilon(),
            train.getWeightDecay())).values());
    Ema ema = new Ema(tf, variables);
    emaShadows = ema.shadows();
    initEma = tf.withControlDependencies(ema.copyFromWeights()).withName("ema_init").noOp();
    // One barrier between the weight updates and the averages: each average waiting on every
    // update directly made ops x weights control edges (240k on the tiny benchmark model, 3.5 s of
    // grappler before its first step; 8.5 s on the 128 px ResNet). Gating each average on its own
    // weight's update alone was no faster per step.
    Op weightsUpdated = tf.withControlDependencies(updates).withName("weights_updated").noOp();
    List<Op> emaUpdates = ema.update(tf.withControlDependencies(List.of(weightsUpdated)), variables,
        Ema.decay(tf, stepValue, train.getEmaDecay(), train.getEmaWarmup()));
    if (lossScale == null) {
      trainStep = tf.withControlDependencies(emaUpdates).withName("train_step").assignAdd(step, tf.constant(1L));
    } else {
      Op count = tf.withControlDependencies(List.of(Gradients.afterEither(tf, emaUpdates, finite)))
          .assignAdd(step, tf.constant(1L));
      trainStep = tf.withControlDependencies(List.of(count, lossScale.update(tf, finite, LossScale.GROWTH_INTERVAL)))
          .withName("train_step").noOp();
    }

    Ops validation = tf.withSubScope("validation");
    validationX0 = validation.withName("x0").placeholder(TFloat32.class,
        Placeholder.shape(Shape.of(-1, size, size, channels)));
    validationT = validation.withName(ExportContract.T).placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
    validationNoise = validation.withName("noise").placeholder(TFloat32.class,
        Placeholder.shape(Shape.of(-1, size, size, channels)));
    validationCondition = denoiser.placeholders(validation);
    List<Operand<?>> validationInputs = new ArrayList<>(List.of(validationX0, validationT, validationNoise));
    validationInputs.addAll(validationCondition.byName().values());
    validationLoss = perExampleLoss(validation, new DiffusionLoss(validation, schedule, prediction),
        denoiser.withoutDropout(), new MappedStore(validation, Denoiser.ROOT, weights.reads()), validationInputs,
        conditionNames, null);

    Ops sample = tf.withSubScope("sample");
    Denoiser inference = denoiser.withoutDropout();
    sampleXt = sample.withName(ExportContract.X_T).placeholder(TFloat32.class,
        Placeholder.shape(Shape.of(-1, size, size, channels)));
    sampleT = sample.withName(ExportContract.T).placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
    sampleCondition = inference.placeholders(sample);
    sampleEps = inference.predictNoise(sample, new MappedStore(sample, Denoiser.ROOT, emaShadows),
        sampleXt, sampleT, sampleCondition.byName());
  }

  /**
   * ||target - network(x_t, t, c)||^2 per example (the target eps or v, {@link DiffusionLoss#target}),
   * from [x0, t, noise, conditioning...] in that order (conditioning in the order of {@code
   * conditionNames}).
   */
  private static Operand<TFloat32> perExampleLoss(Ops tf, DiffusionLoss diffusion, Denoiser denoiser,
      ParameterStore params, List<Operand<?>> inputs, List<String> conditionNames, Recomputation recomputation) {
    Operand<TFloat32> x0 = inputs.get(0).asOutput().expect(TFloat32.class);
    Operand<TInt32> t = inputs.get(1).asOutput().expect(TInt32.class);
    Operand<TFloat32> noise = inputs.get(2).asOutput().expect(TFloat32.class);
    Map<String, Operand<?>> condition = new java.util.LinkedHashMap<>();
    for (int i = 0; i < conditionNames.size(); i++) {
      condition.put(conditionNames.get(i), inputs.get(3 + i));
    }
    Operand<TFloat32> xt = diffusion.qSample(x0, t, noise);
    return diffusion.perExampleMse(denoiser.predictNoise(tf, params, xt, t, condition, recomputation),
        diffusion.target(x0, t, noise));
  }

  /** The layout as the first log line gives it, e.g. "1 device, bf16, recomputed blocks". */
  public String describeLayout() {
    return layout.describe() + (recompute ? ", recomputed blocks" : "");
  }

  public long parameterCount() {
    return weights.parameterCount();
  }
}
