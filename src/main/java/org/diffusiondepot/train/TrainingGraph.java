package org.diffusiondepot.train;

import org.diffusiondepot.optim.AdamW;
import org.diffusiondepot.optim.Gradients;
import org.diffusiondepot.optim.Ema;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.diffusiondepot.diffusion.ConditionInputs;
import org.diffusiondepot.diffusion.Denoiser;
import org.diffusiondepot.diffusion.DiffusionLoss;
import org.diffusiondepot.nn.MappedStore;
import org.diffusiondepot.nn.VariableStore;
import org.diffusiondepot.proto.ExperimentConfig;
import org.diffusiondepot.proto.TrainConfig;
import org.diffusiondepot.task.ExportContract;
import org.diffusiondepot.schedule.NoiseSchedule;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * The whole training graph of a denoiser: epsilon-MSE loss on q(x_t | x_0) with t and noise drawn
 * in-graph from stateless generators keyed by the step (so a resumed run draws what an
 * uninterrupted one would), gradients, optional global-norm clipping, AdamW, EMA and the step
 * counter, plus a second forward pass that reads the EMA weights for sample previews.
 */
public final class TrainingGraph {
  public final Graph graph;
  public final Denoiser denoiser;
  /** Fed per step: clean images [B, S, S, C] in [-1, 1]. */
  public final Placeholder<TFloat32> x0;
  public final ConditionInputs condition;
  /** Fed per step from the schedule. */
  public final Operand<TFloat32> learningRate;
  /** Timesteps and noise: drawn in-graph unless fed (tests feed them). */
  public final Operand<TInt32> t;
  public final Operand<TFloat32> noise;
  public final Operand<TFloat32> perExampleLoss;
  public final Operand<TFloat32> loss;
  public final Operand<TFloat32> gradientNorm;
  /** Runs one full update: AdamW, EMA, step + 1; none of it when the loss or a gradient is not finite. */
  public final Op trainStep;
  public final Variable<TInt64> step;
  public final Operand<TInt64> stepValue;
  /** Sets every EMA shadow to its weight: run once on a fresh run, after initialisation. */
  public final Op initEma;
  public final VariableStore weights;
  public final Map<String, Variable<TFloat32>> emaShadows;

  /** EMA-weight forward pass for previews. */
  public final Placeholder<TFloat32> sampleXt;
  public final Placeholder<TInt32> sampleT;
  public final ConditionInputs sampleCondition;
  public final Operand<TFloat32> sampleEps;

  public TrainingGraph(ExperimentConfig config) {
    graph = new Graph();
    Ops tf = Ops.create(graph);
    TrainConfig train = config.getTrain();
    denoiser = Denoiser.fromConfig(config);
    NoiseSchedule schedule = NoiseSchedule.fromConfig(config.getDiffusion());
    int size = denoiser.modelSize();
    int channels = denoiser.modelChannels();

    step = tf.withName("global_step").variable(tf.withInitScope().constant(0L));
    stepValue = tf.identity(step);

    x0 = tf.withName("x0").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, size, size, channels)));
    condition = denoiser.placeholders(tf);
    learningRate = tf.withName("learning_rate").placeholderWithDefault(tf.constant(0f), Shape.scalar());

    Operand<TInt32> batch = tf.slice(tf.shape(x0), tf.constant(new int[] {0}), tf.constant(new int[] {1}));
    long seed = train.getSeed();
    Operand<TInt64> tSeed = tf.stack(List.of(tf.constant(seed), stepValue));
    Operand<TInt64> noiseSeed = tf.stack(List.of(tf.constant(seed + 1), stepValue));
    t = tf.withName("t").placeholderWithDefault(
        tf.random.statelessRandomUniformInt(batch, tSeed, tf.constant(0), tf.constant(schedule.timesteps())),
        Shape.of(-1));
    noise = tf.withName("noise").placeholderWithDefault(
        tf.random.statelessRandomNormal(tf.shape(x0), noiseSeed, TFloat32.class),
        Shape.of(-1, size, size, channels));

    DiffusionLoss diffusion = new DiffusionLoss(tf, schedule);
    weights = new VariableStore(tf, Denoiser.ROOT, seed);
    Operand<TFloat32> xt = diffusion.qSample(x0, t, noise);
    Operand<TFloat32> predicted = denoiser.predictNoise(tf, weights, xt, t, condition);
    perExampleLoss = tf.withName("per_example_loss").identity(diffusion.perExampleMse(predicted, noise));
    loss = tf.withName("loss").math.mean(perExampleLoss, tf.constant(0));

    Map<String, Variable<TFloat32>> variables = weights.variables();
    List<Operand<TFloat32>> gradients = Gradients.of(tf, graph.addGradients(loss.asOutput(),
        variables.values().stream().map(Variable::asOutput).toArray(Output[]::new)));
    gradientNorm = tf.withName("gradient_norm").identity(Gradients.globalNorm(tf, gradients));
    gradients = Gradients.clip(tf, gradients, gradientNorm, train.getGradClipNorm());
    gradients = Gradients.whenFinite(tf, gradients, Gradients.finite(tf, loss, gradientNorm));
    List<Op> updates = new ArrayList<>(AdamW.build(tf, variables, gradients, weights.reads(), learningRate,
        stepValue, new AdamW.Hyper(train.getAdamBeta1(), train.getAdamBeta2(), train.getAdamEpsilon(),
            train.getWeightDecay())).values());
    Ema ema = new Ema(tf, variables);
    emaShadows = ema.shadows();
    initEma = tf.withControlDependencies(ema.copyFromWeights()).withName("ema_init").noOp();
    Ops afterUpdates = tf.withControlDependencies(updates);
    List<Op> emaUpdates = ema.update(afterUpdates, variables,
        Ema.decay(tf, stepValue, train.getEmaDecay(), train.getEmaWarmup()));
    trainStep = tf.withControlDependencies(emaUpdates).withName("train_step").assignAdd(step, tf.constant(1L));

    Ops sample = tf.withSubScope("sample");
    Denoiser inference = denoiser.withoutDropout();
    sampleXt = sample.withName(ExportContract.X_T).placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, size, size, channels)));
    sampleT = sample.withName(ExportContract.T).placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
    sampleCondition = inference.placeholders(sample);
    sampleEps = inference.predictNoise(sample, new MappedStore(sample, Denoiser.ROOT, emaShadows),
        sampleXt, sampleT, sampleCondition);
  }

  public long parameterCount() {
    return weights.parameterCount();
  }
}
