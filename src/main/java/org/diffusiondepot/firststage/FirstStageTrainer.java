package org.diffusiondepot.firststage;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import me.tongfei.progressbar.ProgressBar;
import org.diffusiondepot.config.ConfigException;
import org.diffusiondepot.config.ConfigLoader;
import org.diffusiondepot.data.Batch;
import org.diffusiondepot.data.BatchLoader;
import org.diffusiondepot.events.EventWriter;
import org.diffusiondepot.image.ImageGrid;
import org.diffusiondepot.image.Pixels;
import org.diffusiondepot.proto.ExperimentConfig;
import org.diffusiondepot.proto.FirstStageConfig;
import org.diffusiondepot.proto.Task;
import org.diffusiondepot.proto.TrainConfig;
import org.diffusiondepot.runtime.Progress;
import org.diffusiondepot.runtime.SessionConfigs;
import org.diffusiondepot.runtime.Tensors;
import org.diffusiondepot.train.CheckpointStore;
import org.diffusiondepot.train.CosineAnnealing;
import org.diffusiondepot.train.RunDirectory;
import org.diffusiondepot.train.StopSignal;
import org.diffusiondepot.train.Trainer;
import org.diffusiondepot.train.TrainingData;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.types.TBool;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * Trains a VQGAN first stage with the semantics of {@link Trainer}: the config is adopted into
 * RUN_DIR, a run resumes from its latest checkpoint, checkpoints are written every
 * {@code train.checkpoint_every} steps and when the run ends or is interrupted. Logs the losses,
 * code usage, GAN terms and learning rate to TensorBoard, input/reconstruction pairs every
 * {@code train.sample_every} steps, validation PSNR every {@code train.validation_every} steps,
 * and measures the latent scale at the end ({@code RUN_DIR/latent_scale.txt}).
 * <p>
 * No EMA: as in Esser et al. and LDM, the first stage is used with its raw weights.
 */
public final class FirstStageTrainer {
  private final ExperimentConfig config;
  private final TrainConfig train;
  private final FirstStageSpec spec;
  private final RunDirectory run;
  private final TrainingData data;
  private final PerceptualNetwork perceptual;
  private final PrintStream out;
  private final CodebookRestarts restarts;

  private FirstStageTrainer(ExperimentConfig config, RunDirectory run, TrainingData data, PerceptualNetwork perceptual,
      PrintStream out) {
    this.config = config;
    this.train = config.getTrain();
    this.spec = FirstStageSpec.fromConfig(config);
    this.run = run;
    this.data = data;
    this.perceptual = perceptual;
    this.out = out;
    this.restarts = new CodebookRestarts(spec.codebookSize(), spec.embeddingDim(),
        config.getFirstStage().getCodebookRestartEvery(), train.getSeed());
  }

  public static void run(Trainer.Options options, PrintStream out) throws IOException {
    ExperimentConfig config = ConfigLoader.load(options.config());
    if (config.getTask() != Task.FIRST_STAGE) {
      throw new ConfigException(options.config() + ": task is " + config.getTask()
          + "; the first-stage trainer trains FIRST_STAGE (VQGAN) configs");
    }
    FirstStageSpec.fromConfig(config);
    try (PerceptualNetwork perceptual = openPerceptual(config.getFirstStage())) {
      RunDirectory run = new RunDirectory(options.runDir());
      TrainingData data = TrainingData.open(options.data(), config);
      run.adopt(config, Files.readString(options.config(), StandardCharsets.UTF_8));
      long target = options.stopAtStep() != null ? options.stopAtStep() : config.getTrain().getIterations();
      new FirstStageTrainer(config, run, data, perceptual, out).loop(target);
    }
  }

  /** The perceptual feature network, or null when the config leaves it out; fails before any work. */
  static PerceptualNetwork openPerceptual(FirstStageConfig f) {
    if (f.getPerceptualModel().isEmpty()) {
      return null;
    }
    return PerceptualNetwork.load(Path.of(f.getPerceptualModel()),
        f.getPerceptualWeight() > 0 ? f.getPerceptualWeight() : 1.0);
  }

  private void loop(long targetStep) throws IOException {
    FirstStageTrainingGraph graph = new FirstStageTrainingGraph(config, perceptual);
    CheckpointStore checkpoints = new CheckpointStore(run.checkpoints(), train.getKeepCheckpoints());
    CosineAnnealing schedule = new CosineAnnealing(train.getLearningRate(), train.getMinLearningRate(),
        train.getIterations(), train.getCosineCycles(), train.getWarmupSteps());
    StopSignal stop = new StopSignal("depot-first-stage-shutdown");
    try (Session session = new Session(graph.graph, SessionConfigs.cpu());
        EventWriter events = new EventWriter(run.root())) {
      long step = restoreOrInitialize(session, graph, checkpoints);
      out.printf("%s: VQGAN f = %d, z %dx%dx%d, codebook %d; %,d parameters (autoencoder + codebook)%s; "
              + "%s images (%d train / %d validation) from %s%n", config.getName(), spec.factor(), spec.latentSize(),
          spec.latentSize(), spec.embeddingDim(), spec.codebookSize(), graph.parameterCount(),
          graph.discriminatorWeights == null ? ", no GAN"
              : String.format(" + %,d discriminator", graph.discriminatorWeights.parameterCount()),
          data.dataset().size(), data.split().train().length, data.split().validation().length, data.source());
      if (step >= targetStep) {
        out.printf("already at step %d (target %d): nothing to train%n", step, targetStep);
        if (!LatentScale.exists(run.root())) {
          writeLatentScale(session, graph, events, step);
        }
        return;
      }
      events.text("config", step, "```\n" + ConfigLoader.toText(config) + "\n```");
      Batch preview = previewBatch();
      long lastSaved = step;
      try (BatchLoader loader = new BatchLoader(data.dataset(), data.split().train(), train.getBatchSize(),
              config.getData().getRandomFlip(), train.getSeed(), step, config.getData().getLoaderThreads(),
              out::println);
          ProgressBar bar = Progress.bar("train", targetStep, step)) {
        IntervalMeans stats = new IntervalMeans();
        long intervalStart = System.nanoTime();
        long intervalImages = 0;
        while (step < targetStep && !stop.requested()) {
          Batch batch = loader.next();
          double lr = schedule.at(step);
          trainStep(session, graph, batch, step, lr, stats);
          step++;
          intervalImages += batch.size();
          bar.stepTo(step);
          if (step % train.getLogEvery() == 0 || step == targetStep) {
            double imagesPerSecond = intervalImages / ((System.nanoTime() - intervalStart) / 1e9);
            for (Map.Entry<String, Double> e : stats.means().entrySet()) {
              events.scalar("train/" + e.getKey(), step, e.getValue());
            }
            events.scalar("train/learning_rate", step, lr);
            events.scalar("train/images_per_second", step, imagesPerSecond);
            if (loader.skippedCount() > 0) {
              events.scalar("data/skipped_images", step, loader.skippedCount());
            }
            bar.setExtraMessage(String.format(" loss %.4f ppl %.0f lr %.2e %.1f img/s",
                stats.mean("reconstruction_loss"), stats.mean("perplexity"), lr, imagesPerSecond));
            stats.reset();
            intervalStart = System.nanoTime();
            intervalImages = 0;
          }
          if (train.getValidationEvery() > 0 && step % train.getValidationEvery() == 0) {
            validate(session, graph, events, step);
          }
          if (train.getSampleEvery() > 0 && step % train.getSampleEvery() == 0) {
            preview(session, graph, events, step, preview);
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
        preview(session, graph, events, step, preview);
      }
      if (train.getValidationEvery() > 0 && step % train.getValidationEvery() != 0) {
        validate(session, graph, events, step);
      }
      writeLatentScale(session, graph, events, step);
      out.printf("%s at step %d: checkpoint %s, TensorBoard: tensorboard --logdir %s%n",
          stop.requested() ? "stopped" : "finished", step, checkpoints.latest().orElseThrow(), run.root());
    } finally {
      graph.graph.close();
      stop.close();
    }
  }

  private long restoreOrInitialize(Session session, FirstStageTrainingGraph graph, CheckpointStore checkpoints)
      throws IOException {
    Optional<Path> latest = checkpoints.latest();
    if (latest.isPresent()) {
      session.restore(latest.get().toString());
      long step = readStep(session, graph);
      out.printf("resuming from %s (step %d)%n", latest.get(), step);
      return step;
    }
    session.initialize();
    return 0;
  }

  static long readStep(Session session, FirstStageTrainingGraph graph) {
    try (Result r = session.runner().fetch(graph.stepValue).run()) {
      return ((TInt64) r.get(0)).getLong();
    }
  }

  private boolean ganActive(long step) {
    return spec.usesGan() && step >= spec.discriminatorStart();
  }

  private void trainStep(Session session, FirstStageTrainingGraph graph, Batch batch, long step, double lr,
      IntervalMeans stats) {
    boolean gan = ganActive(step);
    int size = spec.imageSize();
    List<Tensor> owned = new ArrayList<>();
    try {
      Tensor x = Tensors.of(batch.images(), batch.size(), size, size, spec.imageChannels());
      Tensor rate = TFloat32.scalarOf((float) lr);
      owned.add(x);
      owned.add(rate);
      Session.Runner runner = session.runner().feed(graph.images, x).feed(graph.learningRate, rate)
          .addTarget(graph.autoencoderStep);
      List<String> tags = new ArrayList<>(List.of("reconstruction_loss", "codebook_loss", "commitment_loss",
          "perplexity", "codebook_usage", "gradient_norm"));
      runner.fetch(graph.reconstructionLoss).fetch(graph.codebookLoss).fetch(graph.commitmentLoss)
          .fetch(graph.perplexity).fetch(graph.codebookUsage).fetch(graph.gradientNorm);
      if (graph.perceptualLoss != null) {
        tags.add("perceptual_loss");
        runner.fetch(graph.perceptualLoss);
      }
      if (graph.ganActive != null) {
        Tensor active = TBool.scalarOf(gan);
        owned.add(active);
        runner.feed(graph.ganActive, active);
      }
      if (gan) {
        tags.addAll(List.of("generator_loss", "discriminator_loss", "adaptive_weight"));
        runner.addTarget(graph.discriminatorStep).fetch(graph.generatorLoss).fetch(graph.discriminatorLoss)
            .fetch(graph.adaptiveWeight);
      }
      boolean restart = restarts.dueAfter(step);
      if (restarts.enabled()) {
        // fetched every step, not only when due: one fetch set means one graph optimisation
        runner.fetch(graph.codeIndices).fetch(graph.preQuantized);
      }
      float[] encoded = null;
      try (Result r = runner.run()) {
        for (int i = 0; i < tags.size(); i++) {
          float v = ((TFloat32) r.get(i)).getFloat();
          if (!Float.isFinite(v)) {
            throw new IllegalStateException(tags.get(i) + " became " + v + " at step " + step
                + "; lower train.learning_rate or set train.grad_clip_norm");
          }
          stats.add(tags.get(i), v);
        }
        if (restarts.enabled()) {
          TInt32 codes = (TInt32) r.get(tags.size());
          int[] chosen = new int[(int) codes.size()];
          codes.copyTo(DataBuffers.of(chosen, false, false));
          restarts.observe(chosen);
          if (restart) {
            encoded = Tensors.floats((TFloat32) r.get(tags.size() + 1));
          }
        }
      }
      if (encoded != null) {
        CodebookRestarts.Plan plan = restarts.plan(step, encoded);
        stats.add("restarted_codes", plan.indices().length);
        if (plan.indices().length > 0) {
          try (TInt32 indices = Tensors.of(plan.indices(), plan.indices().length);
              TFloat32 values = Tensors.of(plan.values(), plan.indices().length, spec.embeddingDim())) {
            session.runner().feed(graph.restartIndices, indices).feed(graph.restartValues, values)
                .addTarget(graph.restartCodes).run().close();
          }
        }
      }
    } finally {
      owned.forEach(Tensor::close);
    }
  }

  /** Images shown as input/reconstruction pairs: the first sample_count validation images. */
  private Batch previewBatch() {
    int[] indices = data.split().validation().length > 0 ? data.split().validation() : data.split().train();
    return BatchLoader.load(data.dataset(), indices, 0, Math.min(indices.length, train.getSampleCount()));
  }

  /**
   * Reconstruction quality on the validation images: PSNR (dB), L1 and code usage, over up to
   * {@code train.validation_batches} batches in a fixed order, so values are comparable over time.
   */
  private void validate(Session session, FirstStageTrainingGraph graph, EventWriter events, long step)
      throws IOException {
    int[] indices = data.split().validation();
    if (indices.length == 0) {
      return;
    }
    ReconstructionReport report = ReconstructionReport.measure(session, graph, data.dataset(), indices,
        train.getBatchSize(), train.getValidationBatches());
    events.scalar("validation/psnr", step, report.psnr());
    events.scalar("validation/reconstruction_loss", step, report.l1());
    events.scalar("validation/perplexity", step, report.perplexity());
    events.scalar("validation/codebook_usage", step, report.usage());
    events.flush();
  }

  /** Input | reconstruction pairs to TensorBoard and RUN_DIR/samples/step-N.png. */
  private void preview(Session session, FirstStageTrainingGraph graph, EventWriter events, long step, Batch batch)
      throws IOException {
    int size = spec.imageSize();
    int channels = spec.imageChannels();
    float[] reconstruction;
    try (TFloat32 x = Tensors.of(batch.images(), batch.size(), size, size, channels);
        Result r = graph.evaluate(session, x)) {
      reconstruction = Tensors.floats((TFloat32) r.get(0));
    }
    List<BufferedImage> tiles = new ArrayList<>();
    for (int i = 0; i < batch.size(); i++) {
      tiles.add(Pixels.toImage(batch.images(), i, size, channels));
      tiles.add(Pixels.toImage(reconstruction, i, size, channels));
    }
    int pairsPerRow = (int) Math.ceil(Math.sqrt(batch.size()));
    BufferedImage grid = ImageGrid.of(tiles, 2 * pairsPerRow);
    events.image("reconstructions/input_reconstruction", step, grid);
    events.flush();
    ImageGrid.writePng(ImageGrid.enlarge(grid, size < 64 ? 4 : 1), run.samples().resolve(
        String.format("step-%08d.png", step)));
  }

  private void writeLatentScale(Session session, FirstStageTrainingGraph graph, EventWriter events, long step)
      throws IOException {
    double scale = LatentScale.measure(session, graph, data.dataset(), data.split().train(), train.getBatchSize());
    LatentScale.write(run.root(), scale);
    events.scalar("latent/scale", step, scale);
    out.printf("latent scale %.5f (1 / std of the quantised latents) written to %s%n", scale,
        run.root().resolve(LatentScale.FILE));
  }
}
