package org.diffusiondepot.train;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Map;
import java.util.Optional;
import me.tongfei.progressbar.ProgressBar;
import org.diffusiondepot.config.ConfigLoader;
import org.diffusiondepot.data.Batch;
import org.diffusiondepot.data.BatchLoader;
import org.diffusiondepot.events.EventWriter;
import org.diffusiondepot.image.ImageGrid;
import org.diffusiondepot.optim.CosineAnnealing;
import org.diffusiondepot.proto.ExperimentConfig;
import org.diffusiondepot.proto.TrainConfig;
import org.diffusiondepot.run.CheckpointStore;
import org.diffusiondepot.run.RunDirectory;
import org.diffusiondepot.run.StopSignal;
import org.diffusiondepot.run.TrainingData;
import org.diffusiondepot.runtime.Progress;
import org.diffusiondepot.runtime.SessionConfigs;
import org.tensorflow.Session;

/**
 * The one training loop, for every kind of model (improved-diffusion's TrainLoop, latent
 * diffusion's single trainer): it resumes from the run's latest checkpoint or starts fresh, feeds
 * batches with the learning rate of the cosine schedule, logs every {@code train.log_every} steps,
 * validates, previews and checkpoints on the config's cadence, and on the last step or on Ctrl-C
 * saves a final checkpoint and prints a summary. The {@link TrainingModel} supplies only its step,
 * validation and preview.
 */
public final class TrainLoop {
  private final ExperimentConfig config;
  private final TrainConfig train;
  private final RunDirectory run;
  private final TrainingData data;
  private final TrainingModel model;
  private final PrintStream out;
  private final LossSpikeWatch validationSpikes;

  private TrainLoop(ExperimentConfig config, RunDirectory run, TrainingData data, TrainingModel model,
      PrintStream out) {
    this.config = config;
    this.train = config.getTrain();
    this.run = run;
    this.data = data;
    this.model = model;
    this.out = out;
    this.validationSpikes = new LossSpikeWatch("validation loss", train.getLossSpikeFactor(), 0);
  }

  /**
   * Trains the model that {@code factory} builds for the request's config. The model is built
   * before the run directory is touched, so a config that cannot be trained leaves nothing behind.
   */
  public static void run(TrainingRequest request, TrainingModel.Factory factory, PrintStream out) throws IOException {
    ExperimentConfig config = ConfigLoader.load(request.config());
    TrainingData data = TrainingData.open(request.data(), config);
    long target = request.stopAtStep() != null ? request.stopAtStep() : config.getTrain().getIterations();
    try (TrainingModel model = factory.create(new TrainingContext(config, data, out))) {
      RunDirectory run = new RunDirectory(request.runDir());
      run.adopt(config, Files.readString(request.config(), StandardCharsets.UTF_8));
      if (!data.dataset().classNames().isEmpty()) {
        Files.write(run.classes(), data.dataset().classNames(), StandardCharsets.UTF_8);
      }
      try {
        new TrainLoop(config, run, data, model, out).loop(target);
      } finally {
        model.graph().close();
      }
    }
  }

  private void loop(long targetStep) throws IOException {
    CheckpointStore checkpoints = new CheckpointStore(run.checkpoints(), train.getKeepCheckpoints());
    CosineAnnealing schedule = new CosineAnnealing(train.getLearningRate(), train.getMinLearningRate(),
        train.getIterations(), train.getCosineCycles(), train.getWarmupSteps());
    try (StopSignal stop = new StopSignal("depot-train-shutdown");
        Session session = new Session(model.graph(), SessionConfigs.cpu());
        EventWriter events = new EventWriter(run.root())) {
      long step = restoreOrInitialize(session, checkpoints);
      out.printf("%s, %s images (%d train / %d validation) from %s%n", model.describe(), data.dataset().size(),
          data.split().train().length, data.split().validation().length, data.source());
      model.notes().forEach(note -> out.println("note: " + note));
      if (targetStep > schedule.end() && step < targetStep) {
        out.printf("note: the learning-rate schedule ends at step %d (train.iterations); from there to step %d the "
            + "learning rate stays at its minimum, %.3g%n", schedule.end(), targetStep, train.getMinLearningRate());
      }
      if (step >= targetStep) {
        out.printf("already at step %d (target %d): nothing to train%n", step, targetStep);
        model.finish(session, step, false, run, events);
        return;
      }
      events.text("config", step, "```\n" + ConfigLoader.toText(config) + "\n```");
      long lastSaved = step;
      long lastValidated = -1;
      long lastPreviewed = -1;
      try (BatchLoader loader = new BatchLoader(data.dataset(), data.split().train(), train.getBatchSize(),
              config.getData().getRandomFlip(), train.getSeed(), step, config.getData().getLoaderThreads(),
              out::println);
          ProgressBar bar = Progress.bar("train", targetStep, step)) {
        IntervalMeans metrics = new IntervalMeans();
        double lastLoss = Double.NaN;
        LossSpikeWatch trainingSpikes = new LossSpikeWatch("training loss", train.getLossSpikeFactor(), 0.7);
        long intervalStart = System.nanoTime();
        long intervalImages = 0;
        while (step < targetStep && !stop.requested()) {
          Batch batch = loader.next();
          double lr = schedule.at(step);
          try {
            model.trainStep(session, batch, step, lr, metrics);
          } catch (NonFiniteLossException e) {
            throw diverged(e, session, checkpoints, lastSaved, lastLoss);
          }
          lastLoss = metrics.last(model.lossMetric());
          step++;
          if (step == schedule.end() && targetStep > step) {
            out.printf("%nstep %d: the learning-rate schedule has ended; the learning rate stays at %.3g%n", step,
                train.getMinLearningRate());
          }
          intervalImages += batch.size();
          bar.stepTo(step);
          if (step % train.getLogEvery() == 0 || step == targetStep) {
            double imagesPerSecond = intervalImages / ((System.nanoTime() - intervalStart) / 1e9);
            for (var e : metrics.means().entrySet()) {
              events.scalar("train/" + e.getKey(), step, e.getValue());
            }
            events.scalar("train/learning_rate", step, lr);
            events.scalar("train/images_per_second", step, imagesPerSecond);
            if (loader.skippedCount() > 0) {
              events.scalar("data/skipped_images", step, loader.skippedCount());
            }
            alert(events, step, trainingSpikes.observe(step, metrics.mean(model.lossMetric())));
            bar.setExtraMessage(String.format("%s lr %.2e %.1f img/s", model.progressText(metrics), lr,
                imagesPerSecond));
            metrics.reset();
            intervalStart = System.nanoTime();
            intervalImages = 0;
          }
          if (train.getValidationEvery() > 0 && step % train.getValidationEvery() == 0) {
            validate(session, events, step);
            lastValidated = step;
          }
          if (train.getSampleEvery() > 0 && step % train.getSampleEvery() == 0) {
            preview(session, events, step);
            lastPreviewed = step;
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
      if (lastPreviewed != step) {
        preview(session, events, step);
      }
      if (train.getValidationEvery() > 0 && lastValidated != step) {
        validate(session, events, step);
      }
      model.finish(session, step, true, run, events);
      out.printf("%s at step %d: checkpoint %s, TensorBoard: tensorboard --logdir %s%n",
          stop.requested() ? "stopped" : "finished", step, checkpoints.latest().orElseThrow(), run.root());
    }
  }

  private long restoreOrInitialize(Session session, CheckpointStore checkpoints) throws IOException {
    Optional<java.nio.file.Path> latest = checkpoints.latest();
    if (latest.isPresent()) {
      session.restore(latest.get().toString());
      long step = model.globalStep(session);
      out.printf("resuming from %s (step %d)%n", latest.get(), step);
      return step;
    }
    session.initialize();
    model.initializeFresh(session);
    return 0;
  }

  private void validate(Session session, EventWriter events, long step) throws IOException {
    Map<String, Double> scores = model.validate(session, step);
    for (var e : scores.entrySet()) {
      events.scalar("validation/" + e.getKey(), step, e.getValue());
    }
    Double loss = scores.get(model.lossMetric());
    if (loss != null) {
      alert(events, step, validationSpikes.observe(step, loss));
    }
    events.flush();
  }

  /**
   * A step whose loss or gradients were not finite was not applied (see Gradients.whenFinite): the
   * session holds the last good state, which is saved before the run stops.
   */
  private TrainingDivergedException diverged(NonFiniteLossException e, Session session, CheckpointStore checkpoints,
      long lastSaved, double lastLoss) throws IOException {
    long good = model.globalStep(session);
    java.nio.file.Path checkpoint = good == lastSaved ? checkpoints.latest().orElse(null) : checkpoints.save(session, good);
    return new TrainingDivergedException(String.format("%s became %s in the step after %d (last finite %s: %.4g); "
        + "that update was not applied%s. Lower train.learning_rate, or set train.warmup_steps or "
        + "train.grad_clip_norm, then run the same command to resume", e.term(), e.value(), e.step(),
        model.lossMetric(), lastLoss, checkpoint == null ? "" : " and " + checkpoint + " holds the last good state"));
  }

  /** An alert goes to the log and to TensorBoard's text tab (train/alerts), and the run goes on. */
  private void alert(EventWriter events, long step, Optional<String> message) throws IOException {
    if (message.isPresent()) {
      out.printf("%nwarning: %s%n", message.get());
      events.text("train/alerts", step, message.get());
    }
  }

  private void preview(Session session, EventWriter events, long step) throws IOException {
    TrainingModel.Preview preview = model.preview(session, step);
    events.image(preview.tag(), step, preview.grid());
    events.flush();
    ImageGrid.writePng(ImageGrid.enlarge(preview.grid(), config.getData().getResolution() < 64 ? 4 : 1),
        run.samples().resolve(String.format("step-%08d.png", step)));
  }
}
