package org.diffusiondepot.train;

import com.google.common.math.IntMath;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import me.tongfei.progressbar.ProgressBar;
import org.diffusiondepot.config.ConfigLoader;
import org.diffusiondepot.data.Batch;
import org.diffusiondepot.data.BatchLoader;
import org.diffusiondepot.events.EventWriter;
import org.diffusiondepot.image.ImageGrid;
import org.diffusiondepot.nn.UNetSpec;
import org.diffusiondepot.proto.BlockType;
import org.diffusiondepot.proto.ExperimentConfig;
import org.diffusiondepot.proto.TrainConfig;
import org.diffusiondepot.runtime.Progress;
import org.diffusiondepot.runtime.SessionConfigs;
import org.diffusiondepot.runtime.Tensors;
import org.diffusiondepot.sampler.Conditioning;
import org.diffusiondepot.sampler.DdimSampler;
import org.diffusiondepot.schedule.NoiseSchedule;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * Trains a denoiser: resumes from the run's latest checkpoint if there is one, feeds batches with
 * the learning rate of the cosine schedule, logs to TensorBoard, previews EMA samples, validates
 * and checkpoints, and saves a last checkpoint when it ends or is interrupted.
 */
public final class Trainer {
  /**
   * @param stopAtStep train until the global step reaches this (null: train.iterations); the
   *     learning-rate schedule always spans train.iterations
   */
  public record Options(Path config, String data, Path runDir, Long stopAtStep) {}

  private final ExperimentConfig config;
  private final TrainConfig train;
  private final RunDirectory run;
  private final TrainingData data;
  private final PrintStream out;

  private Trainer(ExperimentConfig config, RunDirectory run, TrainingData data, PrintStream out) {
    this.config = config;
    this.train = config.getTrain();
    this.run = run;
    this.data = data;
    this.out = out;
  }

  public static void run(Options options, PrintStream out) throws IOException {
    ExperimentConfig config = ConfigLoader.load(options.config());
    RunDirectory run = new RunDirectory(options.runDir());
    TrainingData data = TrainingData.open(options.data(), config);
    run.adopt(config, Files.readString(options.config(), StandardCharsets.UTF_8));
    Files.write(run.classes(), data.dataset().classNames(), StandardCharsets.UTF_8);
    long target = options.stopAtStep() != null ? options.stopAtStep() : config.getTrain().getIterations();
    new Trainer(config, run, data, out).loop(target);
  }

  private void loop(long targetStep) throws IOException {
    try (TaskInputs inputs = TaskInputs.forConfig(config, data.dataset().classNames())) {
      loop(targetStep, inputs);
    }
  }

  private void loop(long targetStep, TaskInputs inputs) throws IOException {
    TrainingGraph graph = new TrainingGraph(config);
    CheckpointStore checkpoints = new CheckpointStore(run.checkpoints(), train.getKeepCheckpoints());
    CosineAnnealing schedule = new CosineAnnealing(train.getLearningRate(), train.getMinLearningRate(),
        train.getIterations(), train.getCosineCycles(), train.getWarmupSteps());
    NoiseSchedule noise = NoiseSchedule.fromConfig(config.getDiffusion());
    StopSignal stop = new StopSignal("depot-train-shutdown");
    try (Session session = new Session(graph.graph, SessionConfigs.cpu());
        EventWriter events = new EventWriter(run.root())) {
      long step = restoreOrInitialize(session, graph, checkpoints);
      out.printf("%s: %,d parameters, %s images (%d train / %d validation) from %s%n", config.getName(),
          graph.parameterCount(), data.dataset().size(), data.split().train().length,
          data.split().validation().length, data.source());
      instanceNormNote(graph.denoiser.spec());
      if (step >= targetStep) {
        out.printf("already at step %d (target %d): nothing to train%n", step, targetStep);
        return;
      }
      events.text("config", step, "```\n" + ConfigLoader.toText(config) + "\n```");
      Batch validation = validationBatch();
      long lastSaved = step;
      try (BatchLoader loader = new BatchLoader(data.dataset(), data.split().train(), train.getBatchSize(),
              config.getData().getRandomFlip(), train.getSeed(), step, config.getData().getLoaderThreads(),
              out::println);
          ProgressBar bar = Progress.bar("train", targetStep, step)) {
        IntervalStats stats = new IntervalStats(noise.timesteps());
        long intervalStart = System.nanoTime();
        long intervalImages = 0;
        while (step < targetStep && !stop.requested()) {
          Batch batch = loader.next();
          double lr = schedule.at(step);
          StepResult result = trainStep(session, graph, inputs, batch, step, lr);
          step++;
          stats.add(result.loss, result.gradientNorm, result.perExample, result.t);
          intervalImages += batch.size();
          bar.stepTo(step);
          if (step % train.getLogEvery() == 0 || step == targetStep) {
            double seconds = (System.nanoTime() - intervalStart) / 1e9;
            double imagesPerSecond = intervalImages / seconds;
            logTraining(events, step, stats, lr, imagesPerSecond, loader.skippedCount());
            bar.setExtraMessage(String.format(" loss %.4f lr %.2e %.1f img/s", stats.meanLoss(), lr, imagesPerSecond));
            stats.reset();
            intervalStart = System.nanoTime();
            intervalImages = 0;
          }
          if (train.getValidationEvery() > 0 && step % train.getValidationEvery() == 0) {
            validate(session, graph, inputs, events, step);
          }
          if (train.getSampleEvery() > 0 && step % train.getSampleEvery() == 0) {
            preview(session, graph, inputs, noise, events, step, validation);
          }
          if (step % train.getCheckpointEvery() == 0) {
            checkpoints.save(session, step);
            lastSaved = step;
          }
        }
      }
      if (step != lastSaved) {
        checkpoints.save(session, step);
      }
      if (train.getSampleEvery() == 0 || step % train.getSampleEvery() != 0) {
        preview(session, graph, inputs, noise, events, step, validation);
      }
      if (train.getValidationEvery() > 0 && step % train.getValidationEvery() != 0) {
        validate(session, graph, inputs, events, step);
      }
      out.printf("%s at step %d: checkpoint %s, TensorBoard: tensorboard --logdir %s%n",
          stop.requested() ? "stopped" : "finished", step, checkpoints.latest().orElseThrow(), run.root());
    } finally {
      graph.graph.close();
      stop.close();
    }
  }

  /** One channel per GroupNorm group is InstanceNorm, which costs colour fidelity (see README). */
  private void instanceNormNote(UNetSpec spec) {
    int channels = spec.baseChannels();
    int groups = IntMath.gcd(spec.groups(), channels);
    if (spec.block() == BlockType.RESNET_3X3 && groups == channels && channels > 1) {
      out.printf("note: model.group_norm_groups %d at width %d puts one channel in each GroupNorm group "
          + "(InstanceNorm), which tends to shift sample colours; %d groups keep 4 channels per group%n",
          spec.groups(), channels, Math.max(1, channels / 4));
    }
  }

  private long restoreOrInitialize(Session session, TrainingGraph graph, CheckpointStore checkpoints)
      throws IOException {
    Optional<Path> latest = checkpoints.latest();
    if (latest.isPresent()) {
      session.restore(latest.get().toString());
      long step = readStep(session, graph);
      out.printf("resuming from %s (step %d)%n", latest.get(), step);
      return step;
    }
    session.initialize();
    session.run(graph.initEma);
    return 0;
  }

  static long readStep(Session session, TrainingGraph graph) {
    try (Result r = session.runner().fetch(graph.stepValue).run()) {
      return ((TInt64) r.get(0)).getLong();
    }
  }

  private record StepResult(float loss, float gradientNorm, float[] perExample, int[] t) {}

  private StepResult trainStep(Session session, TrainingGraph graph, TaskInputs inputs, Batch batch, long step,
      double lr) {
    List<Tensor> owned = new ArrayList<>();
    try {
      int size = inputs.targetSize();
      int channels = inputs.targetChannels();
      Tensor x0 = Tensors.of(inputs.target(batch), batch.size(), size, size, channels);
      Tensor rate = TFloat32.scalarOf((float) lr);
      owned.add(x0);
      owned.add(rate);
      Session.Runner runner = session.runner().feed(graph.x0, x0).feed(graph.learningRate, rate);
      TaskInputs.feed(runner, graph.condition, inputs.condition(batch, step), batch.size(), size, channels, owned);
      try (Result r = runner.addTarget(graph.trainStep).fetch(graph.loss).fetch(graph.gradientNorm)
          .fetch(graph.perExampleLoss).fetch(graph.t).run()) {
        float loss = ((TFloat32) r.get(0)).getFloat();
        if (!Float.isFinite(loss)) {
          throw new IllegalStateException("the loss became " + loss + " at step " + step
              + "; lower train.learning_rate or set train.grad_clip_norm");
        }
        float[] perExample = Tensors.floats((TFloat32) r.get(2));
        int[] t = new int[perExample.length];
        TInt32 tTensor = (TInt32) r.get(3);
        for (int i = 0; i < t.length; i++) {
          t[i] = tTensor.getInt(i);
        }
        return new StepResult(loss, ((TFloat32) r.get(1)).getFloat(), perExample, t);
      }
    } finally {
      owned.forEach(Tensor::close);
    }
  }

  private void logTraining(EventWriter events, long step, IntervalStats stats, double lr, double imagesPerSecond,
      int skipped) throws IOException {
    events.scalar("train/loss", step, stats.meanLoss());
    for (int q = 0; q < 4; q++) {
      double v = stats.quarterLoss(q);
      if (!Double.isNaN(v)) {
        events.scalar("train/loss_t_quarter" + q, step, v);
      }
    }
    events.scalar("train/learning_rate", step, lr);
    events.scalar("train/gradient_norm", step, stats.meanGradientNorm());
    events.scalar("train/images_per_second", step, imagesPerSecond);
    if (skipped > 0) {
      events.scalar("data/skipped_images", step, skipped);
    }
  }

  /** A fixed batch of validation images for previews that need real inputs. */
  private Batch validationBatch() {
    int[] indices = data.split().validation();
    int count = Math.min(indices.length, Math.max(train.getSampleCount(), train.getBatchSize()));
    return BatchLoader.load(data.dataset(), indices, 0, count);
  }

  /**
   * Loss on fixed validation batches with fixed t (spread evenly over the chain) and fixed noise,
   * so successive values are comparable; logged overall and per quarter of t.
   */
  private void validate(Session session, TrainingGraph graph, TaskInputs inputs, EventWriter events, long step)
      throws IOException {
    int[] indices = data.split().validation();
    int batchSize = train.getBatchSize();
    int timesteps = config.getDiffusion().getTimesteps();
    IntervalStats stats = new IntervalStats(timesteps);
    Random noiseSource = new Random(train.getSeed() + 17);
    int batches = Math.min(train.getValidationBatches(), Math.max(1, indices.length / batchSize));
    for (int b = 0; b < batches; b++) {
      int count = Math.min(batchSize, indices.length - b * batchSize);
      if (count <= 0) {
        break;
      }
      Batch batch = BatchLoader.load(data.dataset(), indices, b * batchSize, count);
      int size = inputs.targetSize();
      int channels = inputs.targetChannels();
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
        Tensor x0 = Tensors.of(inputs.target(batch), count, size, size, channels);
        Tensor tT = Tensors.of(t, count);
        Tensor nT = Tensors.of(eps, count, size, size, channels);
        owned.add(x0);
        owned.add(tT);
        owned.add(nT);
        Session.Runner runner = session.runner().feed(graph.x0, x0).feed(graph.t, tT).feed(graph.noise, nT);
        TaskInputs.feed(runner, graph.condition, inputs.validationCondition(batch), count, size, channels, owned);
        try (Result r = runner.fetch(graph.perExampleLoss).run()) {
          stats.addExamples(Tensors.floats((TFloat32) r.get(0)), t);
        }
      } finally {
        owned.forEach(Tensor::close);
      }
    }
    events.scalar("validation/loss", step, stats.meanLoss());
    for (int q = 0; q < 4; q++) {
      if (!Double.isNaN(stats.quarterLoss(q))) {
        events.scalar("validation/loss_t_quarter" + q, step, stats.quarterLoss(q));
      }
    }
  }

  /**
   * A grid of EMA samples to TensorBoard and RUN_DIR/samples: DDIM with eta 1 and a fixed seed.
   * Deterministic DDIM (eta 0) leaves visible noise in samples of a briefly trained model, where
   * the stochastic chain corrects its errors and gives clean images, as DDPM does.
   */
  private void preview(Session session, TrainingGraph graph, TaskInputs inputs, NoiseSchedule noise,
      EventWriter events, long step, Batch validation) throws IOException {
    int count = train.getSampleCount();
    int size = inputs.targetSize();
    int channels = inputs.targetChannels();
    DdimSampler sampler = new DdimSampler(noise, Math.min(train.getSampleSteps(), noise.timesteps()), 1.0,
        config.getDiffusion().getClipDenoised());
    Conditioning condition = inputs.previewCondition(validation, count);
    float[] samples = sampler.sample(new SessionPredictor(session, graph), count, size, channels,
        condition, train.getSeed() + 1, org.diffusiondepot.sampler.StepListener.NONE);
    BufferedImage grid = inputs.previewGrid(samples, condition, count);
    events.image("samples/ema_ddim" + sampler.timesteps().length + "_eta1", step, grid);
    events.flush();
    ImageGrid.writePng(ImageGrid.enlarge(grid, size < 64 ? 4 : 1), run.samples().resolve(
        String.format("step-%08d.png", step)));
  }
}
