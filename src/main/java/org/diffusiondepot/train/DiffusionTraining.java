package org.diffusiondepot.train;

import com.google.common.math.IntMath;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.diffusiondepot.data.Batch;
import org.diffusiondepot.data.BatchLoader;
import org.diffusiondepot.diffusion.ConditionInputs;
import org.diffusiondepot.nn.UNetSpec;
import org.diffusiondepot.proto.BlockType;
import org.diffusiondepot.proto.ExperimentConfig;
import org.diffusiondepot.proto.TrainConfig;
import org.diffusiondepot.run.TrainingData;
import org.diffusiondepot.runtime.Tensors;
import org.diffusiondepot.sampler.DdimSampler;
import org.diffusiondepot.sampler.FirstStageModel;
import org.diffusiondepot.sampler.StepListener;
import org.diffusiondepot.schedule.NoiseSchedule;
import org.diffusiondepot.task.Conditioning;
import org.diffusiondepot.task.DiffusionTask;
import org.diffusiondepot.task.SignatureInput;
import org.tensorflow.Graph;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * A denoiser in the {@link TrainLoop}: the epsilon-MSE step of its {@link TrainingGraph}, the loss
 * on fixed validation batches, and a grid of EMA samples as preview.
 */
public final class DiffusionTraining implements TrainingModel {
  private final ExperimentConfig config;
  private final TrainConfig train;
  private final TrainingData data;
  private final FirstStageModel firstStage;
  private final DiffusionTask task;
  private final DiffusionBatches batches;
  private final TrainingGraph graph;
  private final NoiseSchedule noise;
  /** A fixed batch of validation images for previews that need real inputs. */
  private final Batch previewImages;

  public DiffusionTraining(TrainingContext context) {
    this.config = context.config();
    this.train = config.getTrain();
    this.data = context.data();
    this.firstStage = FrozenFirstStage.open(config);
    this.task = DiffusionTask.of(config, data.dataset().classNames(), firstStage);
    this.batches = new DiffusionBatches(task);
    try {
      this.graph = new TrainingGraph(config);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
    this.noise = NoiseSchedule.fromConfig(config.getDiffusion());
    int[] validation = data.split().validation();
    this.previewImages = BatchLoader.load(data.dataset(), validation, 0,
        Math.min(validation.length, Math.max(train.getSampleCount(), train.getBatchSize())));
  }

  /** The host-side encoder of training rows, for a worker that reads its own rows on a cluster. */
  public static BatchEncoder batches(TrainingContext context) {
    return DiffusionBatches.open(context);
  }

  /** Trains a diffusion config: {@code tools/depot train} for every task but the first stage. */
  public static void run(TrainingRequest request, PrintStream out) throws IOException {
    TrainLoop.run(request, DiffusionTraining::new, out);
  }

  @Override
  public Graph graph() {
    return graph.graph;
  }

  @Override
  public String describe() {
    return String.format("%s: %,d parameters", config.getName(), graph.parameterCount());
  }

  /** One channel per GroupNorm group is InstanceNorm, which costs colour fidelity (see README). */
  @Override
  public List<String> notes() {
    UNetSpec spec = graph.denoiser.spec();
    int channels = spec.baseChannels();
    int groups = IntMath.gcd(spec.groups(), channels);
    if (spec.block() == BlockType.RESNET_3X3 && groups == channels && channels > 1) {
      return List.of(String.format("model.group_norm_groups %d at width %d puts one channel in each GroupNorm group "
          + "(InstanceNorm), which tends to shift sample colours; %d groups keep 4 channels per group",
          spec.groups(), channels, Math.max(1, channels / 4)));
    }
    return List.of();
  }

  @Override
  public ConfigProto sessionConfig() {
    return graph.layout.sessionConfig();
  }

  @Override
  public String layout() {
    return graph.describeLayout();
  }

  @Override
  public void initializeFresh(Session session) {
    session.run(graph.initEma);
  }

  @Override
  public long globalStep(Session session) {
    return readStep(session, graph);
  }

  public static long readStep(Session session, TrainingGraph graph) {
    try (Result r = session.runner().fetch(graph.stepValue).run()) {
      return ((TInt64) r.get(0)).getLong();
    }
  }

  @Override
  public void trainStep(Session session, Batch batch, long step, double lr, IntervalMeans metrics) {
    List<Tensor> owned = new ArrayList<>(batches.encode(batch, step, graph.chiefFirstRow));
    try {
      Tensor rate = TFloat32.scalarOf((float) lr);
      owned.add(rate);
      Session.Runner runner = session.runner().feed(graph.x0, owned.get(0)).feed(graph.learningRate, rate);
      List<SignatureInput> inputs = batches.inputs();
      for (int i = 1; i < inputs.size(); i++) {
        runner.feed(graph.condition.get(inputs.get(i).name()), owned.get(i));
      }
      runner.addTarget(graph.trainStep).fetch(graph.loss).fetch(graph.gradientNorm).fetch(graph.perExampleLoss)
          .fetch(graph.t);
      if (graph.lossScale != null) {
        runner.fetch(graph.lossScale.value()).fetch(graph.lossScale.skipped());
      }
      try (Result r = runner.run()) {
        float loss = ((TFloat32) r.get(0)).getFloat();
        float norm = ((TFloat32) r.get(1)).getFloat();
        boolean finite = Float.isFinite(loss) && Float.isFinite(norm);
        if (graph.lossScale != null) {
          // fp16: a step that overflows is skipped and halves the scale; only a scale driven below 1
          // (16 skips in a row from 2^15) means the loss itself has left the fp16 range for good
          float scale = ((TFloat32) r.get(4)).getFloat();
          metrics.add("loss_scale", scale);
          metrics.add("skipped_steps", ((TInt64) r.get(5)).getLong());
          if (!finite && scale < 1) {
            throw new NonFiniteLossException(step, "loss (loss scale " + scale + ")", loss);
          }
        } else if (!finite) {
          throw new NonFiniteLossException(step, Float.isFinite(loss) ? "gradient_norm" : "loss",
              Float.isFinite(loss) ? norm : loss);
        }
        if (finite) {
          metrics.add("loss", loss);
          metrics.add("gradient_norm", norm);
          addPerQuarter(metrics, Tensors.floats((TFloat32) r.get(2)), ints((TInt32) r.get(3)));
        }
      }
    } finally {
      owned.forEach(Tensor::close);
    }
  }

  @Override
  public String progressText(IntervalMeans metrics) {
    return String.format(" loss %.4f", metrics.mean("loss"));
  }

  /**
   * Loss on fixed validation batches with fixed t (spread evenly over the chain) and fixed noise,
   * so successive values are comparable; logged overall and per quarter of t.
   */
  @Override
  public Map<String, Double> validate(Session session, long step) {
    int[] indices = data.split().validation();
    int batchSize = train.getBatchSize();
    int timesteps = config.getDiffusion().getTimesteps();
    IntervalMeans scores = new IntervalMeans();
    Random noiseSource = new Random(train.getSeed() + 17);
    int batches = Math.min(train.getValidationBatches(), Math.max(1, indices.length / batchSize));
    for (int b = 0; b < batches; b++) {
      int count = Math.min(batchSize, indices.length - b * batchSize);
      if (count <= 0) {
        break;
      }
      Batch batch = BatchLoader.load(data.dataset(), indices, b * batchSize, count);
      int size = task.modelSize();
      int channels = task.modelChannels();
      int[] t = new int[count];
      for (int i = 0; i < count; i++) {
        t[i] = (int) (((long) (b * batchSize + i) * 7919L) % timesteps);
      }
      float[] eps = new float[count * size * size * channels];
      for (int i = 0; i < eps.length; i++) {
        eps[i] = (float) noiseSource.nextGaussian();
      }
      List<Tensor> owned = new ArrayList<>();
      try {
        Tensor x0 = Tensors.of(task.target(batch.images(), count), count, size, size, channels);
        Tensor tT = Tensors.of(t, count);
        Tensor nT = Tensors.of(eps, count, size, size, channels);
        owned.add(x0);
        owned.add(tT);
        owned.add(nT);
        Session.Runner runner = session.runner().feed(graph.validationX0, x0).feed(graph.validationT, tT)
            .feed(graph.validationNoise, nT);
        feed(runner, graph.validationCondition, task.forHeldOut(batch.images(), batch.labels(), count,
            train.getSeed(), b * batchSize), count, owned);
        try (Result r = runner.fetch(graph.validationLoss).run()) {
          float[] losses = Tensors.floats((TFloat32) r.get(0));
          for (float loss : losses) {
            scores.add("loss", loss);
          }
          addPerQuarter(scores, losses, t);
        }
      } finally {
        owned.forEach(Tensor::close);
      }
    }
    return scores.means();
  }

  /**
   * A grid of EMA samples: DDIM with eta 1 and a fixed seed. Deterministic DDIM (eta 0) leaves
   * visible noise in samples of a briefly trained model, where the stochastic chain corrects its
   * errors and gives clean images, as DDPM does.
   */
  @Override
  public Preview preview(Session session, long step, java.util.function.BooleanSupplier stopRequested) {
    int count = train.getSampleCount();
    DdimSampler sampler = new DdimSampler(noise, Math.min(train.getSampleSteps(), noise.timesteps()), 1.0,
        config.getDiffusion().getClipDenoised());
    Conditioning condition = task.forPreview(previewImages.images(), previewImages.size(), count, train.getSeed());
    SessionPredictor network = new SessionPredictor(session, graph, task, noise, config.getDiffusion().getPrediction());
    StepListener stopCheck = (index, total, t, xPrev, x0) -> {
      if (stopRequested.getAsBoolean() && index + 1 < total) {
        throw new PreviewStoppedException(index + 1, total);
      }
    };
    float[] samples = sampler.sample(network, count, task.modelSize(), task.modelChannels(), condition,
        train.getSeed() + 1, stopCheck, task.constraint(noise, condition));
    return new Preview("samples/ema_ddim" + sampler.timesteps().length + "_eta1",
        task.panels(task.toImages(samples, count), condition, count).grid());
  }

  @Override
  public void close() {
    if (firstStage != null) {
      firstStage.close();
    }
  }

  /** Feeds the task's conditioning tensors, which {@code owned} takes to close. */
  static void feed(Session.Runner runner, ConditionInputs inputs, Conditioning condition, int n, List<Tensor> owned,
      DiffusionTask task) {
    Map<String, Tensor> tensors = task.feeds(condition, n);
    owned.addAll(tensors.values());
    inputs.feed(runner, tensors);
  }

  private void feed(Session.Runner runner, ConditionInputs inputs, Conditioning condition, int n, List<Tensor> owned) {
    feed(runner, inputs, condition, n, owned, task);
  }

  /** Losses per quarter of the timesteps (quarter 0: t < T/4), where the model's errors differ most. */
  private void addPerQuarter(IntervalMeans means, float[] perExample, int[] t) {
    int timesteps = noise.timesteps();
    for (int i = 0; i < perExample.length; i++) {
      int quarter = Math.min(3, (int) ((long) t[i] * 4 / timesteps));
      means.add("loss_t_quarter" + quarter, perExample[i]);
    }
  }

  private static int[] ints(TInt32 tensor) {
    int[] out = new int[(int) tensor.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = tensor.getInt(i);
    }
    return out;
  }
}
