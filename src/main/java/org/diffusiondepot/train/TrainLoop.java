package org.diffusiondepot.train;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import me.tongfei.progressbar.ProgressBar;
import org.diffusiondepot.cluster.ClusterException;
import org.diffusiondepot.config.ConfigException;
import org.diffusiondepot.config.ConfigLoader;
import org.diffusiondepot.data.Batch;
import org.diffusiondepot.data.BatchLoader;
import org.diffusiondepot.events.EventWriter;
import org.diffusiondepot.image.ImageGrid;
import org.diffusiondepot.optim.CosineAnnealing;
import org.diffusiondepot.proto.ExperimentConfig;
import org.diffusiondepot.proto.TrainConfig;
import org.diffusiondepot.run.CheckpointStore;
import org.diffusiondepot.run.CheckpointWriteException;
import org.diffusiondepot.run.RunDirectory;
import org.diffusiondepot.run.RunLock;
import org.diffusiondepot.run.StopSignal;
import org.diffusiondepot.run.TrainingData;
import org.diffusiondepot.runtime.ActiveKernels;
import org.diffusiondepot.runtime.PeakMemory;
import org.diffusiondepot.runtime.Progress;
import org.tensorflow.Session;

/**
 * The one training loop, for every kind of model (improved-diffusion's TrainLoop, latent
 * diffusion's single trainer): it takes the run directory's lock, resumes from the newest
 * checkpoint that restores (or starts fresh), feeds batches with the learning rate of the cosine
 * schedule, logs every {@code train.log_every} steps, validates, previews and checkpoints on the
 * config's cadence, and on the last step or on Ctrl-C saves a final checkpoint and prints a
 * summary. The {@link TrainingModel} supplies only its step, validation and preview.
 * <p>
 * What can go wrong on a long run is met here once for every model: a damaged newest checkpoint
 * (fall back to an older one), a twin launch (refused by the lock), a full disk (the published
 * checkpoint stays, the run stops with one message), a non-finite loss (the bad update is not
 * applied, the last good state is saved, the run stops), and on a cluster a machine that dies (the
 * run stops with one line naming it; the last published checkpoint stays, nothing of the failed
 * step is saved).
 * <p>
 * The session runs where the {@link TrainingHost} puts it: in this process, or on a cluster this
 * process drives as its chief ({@link ClusterTraining}). Either way this loop is the one owner of
 * the run: only it writes checkpoints, events and previews. On a cluster it reads only the chief's
 * rows of each batch; the other workers read theirs ({@link BatchShards}).
 */
public final class TrainLoop {
  private final ExperimentConfig config;
  private final TrainConfig train;
  private final RunDirectory run;
  private final TrainingData data;
  private final TrainingModel model;
  private final PrintStream out;
  private final CheckpointStore checkpoints;
  private final CosineAnnealing schedule;
  private final LossSpikeWatch validationSpikes;
  private final TrainingHost host;
  private long step;
  private long lastSaved = -1;

  private TrainLoop(ExperimentConfig config, RunDirectory run, TrainingData data, TrainingModel model,
      PrintStream out, TrainingHost host) {
    this.host = host;
    this.config = config;
    this.train = config.getTrain();
    this.run = run;
    this.data = data;
    this.model = model;
    this.out = out;
    this.checkpoints = new CheckpointStore(run.checkpoints(), train.getKeepCheckpoints());
    this.schedule = new CosineAnnealing(train.getLearningRate(), train.getMinLearningRate(), train.getIterations(),
        train.getCosineCycles(), train.getWarmupSteps());
    this.validationSpikes = new LossSpikeWatch("validation loss", train.getLossSpikeFactor(), 0);
  }

  /**
   * Trains the model that {@code factory} builds for the request's config. The model is built
   * before the run directory is touched, so a config that cannot be trained leaves nothing behind.
   */
  public static void run(TrainingRequest request, TrainingModel.Factory factory, PrintStream out) throws IOException {
    run(request, factory, out, TrainingHost.LOCAL);
  }

  /** {@link #run(TrainingRequest, TrainingModel.Factory, PrintStream)} with the session on {@code host}. */
  static void run(TrainingRequest request, TrainingModel.Factory factory, PrintStream out, TrainingHost host)
      throws IOException {
    ExperimentConfig requested = request.loadConfig();
    ExperimentConfig config = host.configure(requested);
    TrainingData data = TrainingData.open(request.data(), config);
    long target = request.stopAtStep() != null ? request.stopAtStep() : config.getTrain().getIterations();
    // The stop signal is released last, after the graph and the model are closed: once released,
    // the JVM may exit, and native work still running then ends in a crash report.
    try (StopSignal stop = new StopSignal("depot-train-shutdown");
        TrainingModel model = factory.create(new TrainingContext(config, data, out));
        RunLock lock = RunLock.acquire(request.runDir())) {
      RunDirectory run = new RunDirectory(request.runDir());
      // the run records the config as asked for: a cluster's spread of the devices is derived from it
      run.adopt(requested, ConfigLoader.effectiveText(request.config(), request.overrides()));
      run.recordDataSource(request.data());
      if (!data.dataset().classNames().isEmpty()) {
        Files.write(run.classes(), data.dataset().classNames(), StandardCharsets.UTF_8);
      }
      try {
        new TrainLoop(config, run, data, model, out, host).loop(target, stop);
      } finally {
        model.graph().close();
      }
    }
  }

  private void loop(long targetStep, StopSignal stop) throws IOException {
    try (Session session = host.open(model, TrainingLayout.of(train));
        EventWriter events = new EventWriter(run.root())) {
      step = restoreOrInitialize(session);
      lastSaved = step;
      out.printf("%s, %s images (%d train / %d validation) from %s; %s%n", model.describe(),
          data.dataset().size(), data.split().train().length, data.split().validation().length, data.source(),
          model.layout());
      model.notes().forEach(note -> out.println("note: " + note));
      out.println("CPU kernels: " + ActiveKernels.describe()
          + (ActiveKernels.recorded() ? "" : "; tools/depot tune-kernels CONFIG measures which are faster here"));
      TrainingLayout.of(train).hardwareNote().ifPresent(note -> out.println("note: " + note));
      if (targetStep > schedule.end() && step < targetStep) {
        out.printf("note: the learning-rate schedule ends at step %d (train.iterations); from there to step %d the "
            + "learning rate stays at its minimum, %.3g%n", schedule.end(), targetStep, train.getMinLearningRate());
      }
      if (step >= targetStep) {
        out.printf("already at step %d (target %d): nothing to train%n", step, targetStep);
        model.finish(session, step, false, run, events);
        return;
      }
      try {
        train(session, events, stop, targetStep);
      } catch (CheckpointWriteException e) {
        throw new RunWriteException(e.getMessage() + "; free space or fix the disk, then run the same command "
            + "to resume", e);
      } catch (IOException e) {
        throw stoppedByWriteFailure(session, e);
      }
      out.printf("%s at step %d: checkpoint %s, TensorBoard: tensorboard --logdir %s%n",
          stop.requested() ? "stopped" : "finished", step, checkpoints.latest().orElseThrow(), run.root());
    }
  }

  private void train(Session session, EventWriter events, StopSignal stop, long targetStep) throws IOException {
    events.text("config", step, "```\n" + ConfigLoader.toText(config) + "\n```");
    long lastValidated = -1;
    long lastPreviewed = -1;
    try {
      host.guard("telling the workers the starting step", () -> {
        host.starting(step, data.split().train().length);
        return null;
      });
    } catch (ClusterException e) {
      throw host.stop(stoppedByCluster(e));
    }
    try (BatchLoader loader = new BatchLoader(data.dataset(), data.split().train(), train.getBatchSize(),
            host.rows(config), config.getData().getRandomFlip(), train.getSeed(), step,
            config.getData().getLoaderThreads(), out::println);
        ProgressBar bar = Progress.bar("train", targetStep, step)) {
      IntervalMeans metrics = new IntervalMeans();
      LossSpikeWatch trainingSpikes = new LossSpikeWatch("training loss", train.getLossSpikeFactor(), 0.7);
      double lastLoss = Double.NaN;
      boolean reportedMemory = false;
      long intervalStart = System.nanoTime();
      long intervalImages = 0;
      while (step < targetStep && !stop.requested()) {
        Batch batch = loader.next();
        double lr = schedule.at(step);
        try {
          long current = step;
          host.guard("step " + (step + 1), () -> {
            model.trainStep(session, batch, current, lr, metrics);
            return null;
          });
        } catch (NonFiniteLossException e) {
          throw diverged(e, session, lastLoss);
        } catch (ClusterException e) {
          throw host.stop(stoppedByCluster(e));
        }
        lastLoss = metrics.last(model.lossMetric());
        if (!reportedMemory) {
          out.printf("%nfirst step done: %s%n", PeakMemory.describe());
          reportedMemory = true;
        }
        step++;
        if (step == schedule.end() && targetStep > step) {
          out.printf("%nstep %d: the learning-rate schedule has ended; the learning rate stays at %.3g%n", step,
              train.getMinLearningRate());
        }
        intervalImages += train.getBatchSize();
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
          alert(events, trainingSpikes.observe(step, metrics.mean(model.lossMetric())));
          bar.setExtraMessage(String.format("%s lr %.2e %.1f img/s", model.progressText(metrics), lr,
              imagesPerSecond));
          metrics.reset();
          intervalStart = System.nanoTime();
          intervalImages = 0;
        }
        if (train.getValidationEvery() > 0 && step % train.getValidationEvery() == 0) {
          validate(session, events);
          lastValidated = step;
        }
        if (train.getSampleEvery() > 0 && step % train.getSampleEvery() == 0) {
          preview(session, events, stop);
          lastPreviewed = step;
        }
        if (step % train.getCheckpointEvery() == 0) {
          save(session);
        }
      }
    }
    if (step != lastSaved) {
      save(session);
    }
    if (stop.requested()) {
      // the checkpoint is written; sampling a preview now would keep a stopping process alive
      out.printf("%nstop requested: the end-of-run preview and validation are skipped%n");
    } else {
      if (lastPreviewed != step) {
        // a long chain on a large model: say what the process is doing (Ctrl-C cuts it short)
        out.printf("%nsampling the end-of-run preview at step %d%n", step);
        preview(session, events, stop);
      }
      if (train.getValidationEvery() > 0 && lastValidated != step) {
        validate(session, events);
      }
    }
    model.finish(session, step, true, run, events);
  }

  /**
   * Restores the newest checkpoint that is intact and fits the graph, saying why any newer one was
   * passed over; a fresh run when there is none. Nothing is deleted.
   */
  private long restoreOrInitialize(Session session) throws IOException {
    checkpoints.removeInterruptedSaves();
    List<Path> candidates = checkpoints.newestFirst();
    StringBuilder problems = new StringBuilder();
    for (Path prefix : candidates) {
      Optional<String> problem = checkpoints.verify(prefix);
      if (problem.isEmpty()) {
        try {
          long restored = host.guard("restoring " + prefix.getFileName(), () -> {
            session.restore(prefix.toString());
            return model.globalStep(session);
          });
          out.printf("resuming from %s (step %d)%n", prefix, restored);
          return restored;
        } catch (ClusterException e) {
          throw host.stop(stoppedByCluster(e));
        } catch (RuntimeException e) {
          problem = Optional.of("TensorFlow cannot restore it: " + firstLine(e.getMessage()));
        }
      }
      out.printf("warning: checkpoint %s cannot be used (%s); trying the one before it%n", prefix.getFileName(),
          problem.get());
      problems.append(problems.length() == 0 ? "" : "; ").append(prefix.getFileName()).append(": ")
          .append(problem.get());
    }
    if (!candidates.isEmpty()) {
      throw new ConfigException("none of the " + candidates.size() + " checkpoints in " + checkpoints.directory()
          + " can be restored (" + problems + "); nothing was deleted. If the config was edited, restore it; "
          + "otherwise train into a new --out directory");
    }
    try {
      host.guard("initialising the variables", () -> {
        session.initialize();
        model.initializeFresh(session);
        return null;
      });
    } catch (ClusterException e) {
      throw host.stop(stoppedByCluster(e));
    }
    return 0;
  }

  private void save(Session session) throws IOException {
    try {
      host.guard("saving step " + step, () -> checkpoints.save(session, step));
    } catch (ClusterException e) {
      throw host.stop(stoppedByCluster(e));
    }
    lastSaved = step;
  }

  /**
   * A step that failed because a machine of the cluster died: its state may be half applied (the
   * updates of some variable groups done, others not), so it is not saved; the last published
   * checkpoint is what the next run resumes from.
   */
  private ClusterException stoppedByCluster(ClusterException e) throws IOException {
    String kept = checkpoints.latest().map(p -> "; the latest checkpoint " + p + " (step " + CheckpointStore.stepOf(p)
        + ") is intact").orElse("; no checkpoint was written yet");
    return new ClusterException(e.getMessage() + kept + "; start every task again and run the same commands to "
        + "resume", e);
  }

  /**
   * A step whose loss or gradients were not finite was not applied (see Gradients.whenFinite): the
   * session holds the last good state, which is saved before the run stops.
   */
  private TrainingDivergedException diverged(NonFiniteLossException e, Session session, double lastLoss)
      throws IOException {
    long good = model.globalStep(session);
    Path checkpoint = good == lastSaved ? checkpoints.latest().orElse(null) : checkpoints.save(session, good);
    return new TrainingDivergedException(String.format("%s became %s in the step after %d (last finite %s: %.4g); "
        + "that update was not applied%s. Lower train.learning_rate, or set train.warmup_steps or "
        + "train.grad_clip_norm, then run the same command to resume", e.term(), e.value(), e.step(),
        model.lossMetric(), lastLoss, checkpoint == null ? "" : " and " + checkpoint + " holds the last good state"));
  }

  /** Events or samples could not be written: try to keep the progress, then stop with one message. */
  private RunWriteException stoppedByWriteFailure(Session session, IOException e) throws IOException {
    String kept;
    try {
      if (step != lastSaved) {
        save(session);
      }
      kept = checkpoints.latest().map(p -> "; the latest checkpoint " + p + " is intact").orElse("");
    } catch (IOException alsoFailed) {
      kept = checkpoints.latest().map(p -> "; the checkpoint " + p + " is intact").orElse("");
    }
    return new RunWriteException("cannot write to " + run.root() + " (" + firstLine(e.getMessage()) + ")" + kept
        + "; free space or fix the disk, then run the same command to resume", e);
  }

  private void validate(Session session, EventWriter events) throws IOException {
    Map<String, Double> scores = model.validate(session, step);
    for (var e : scores.entrySet()) {
      events.scalar("validation/" + e.getKey(), step, e.getValue());
    }
    Double loss = scores.get(model.lossMetric());
    if (loss != null) {
      alert(events, validationSpikes.observe(step, loss));
    }
    events.flush();
  }

  /** An alert goes to the log and to TensorBoard's text tab (train/alerts), and the run goes on. */
  private void alert(EventWriter events, Optional<String> message) throws IOException {
    if (message.isPresent()) {
      out.printf("%nwarning: %s%n", message.get());
      events.text("train/alerts", step, message.get());
    }
  }

  private void preview(Session session, EventWriter events, StopSignal stop) throws IOException {
    TrainingModel.Preview preview;
    try {
      preview = model.preview(session, step, stop::requested);
    } catch (PreviewStoppedException e) {
      out.printf("%nstop requested: %s at step %d%n", e.getMessage(), step);
      return;
    }
    events.image(preview.tag(), step, preview.grid());
    events.flush();
    ImageGrid.writePng(ImageGrid.enlarge(preview.grid(), config.getData().getResolution() < 64 ? 4 : 1),
        run.samples().resolve(String.format("step-%08d.png", step)));
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
