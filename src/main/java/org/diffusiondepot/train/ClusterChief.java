package org.diffusiondepot.train;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.diffusiondepot.cluster.ClusterException;
import org.diffusiondepot.cluster.ClusterServer;
import org.diffusiondepot.cluster.ClusterSpec;
import org.diffusiondepot.cluster.ClusterWorker;
import org.diffusiondepot.cluster.RemoteSession;
import org.diffusiondepot.cluster.StepWatchdog;
import org.diffusiondepot.cluster.TowerPlacement;
import org.diffusiondepot.config.ConfigException;
import org.diffusiondepot.config.ConfigLoader;
import org.diffusiondepot.data.BatchLoader;
import org.diffusiondepot.proto.ExperimentConfig;
import org.diffusiondepot.proto.TrainConfig;
import org.tensorflow.Session;
import org.tensorflow.proto.ConfigProto;

/**
 * The {@link TrainingHost} of the chief (worker 0) in in-graph replication: the model is built
 * with one replica per device of every worker, each tower's backprop is pinned to its device, the
 * session runs on the chief's own server (which drives the other workers' devices), and every call
 * that needs the workers runs under a {@link StepWatchdog}.
 */
final class ClusterChief implements TrainingHost, AutoCloseable {
  /** How long the workers get to take the chief's last word. */
  static final Duration TELL_TIMEOUT = Duration.ofSeconds(10);

  private final ClusterServer server;
  private final ClusterSpec spec;
  private final Duration stepTimeout;
  private final PrintStream out;
  private final StepWatchdog watchdog;
  /** Where each worker's rows come from; null when the chief feeds the whole batch. */
  private List<BatchShards.Shard> shards;

  ClusterChief(ClusterServer server, Duration stepTimeout, PrintStream out) {
    this.server = server;
    this.spec = server.spec();
    this.stepTimeout = stepTimeout;
    this.out = out;
    this.watchdog = new StepWatchdog(spec, stepTimeout, line -> {
      System.err.println("error: " + line);
      System.err.flush();
      ClusterWorker.tell(server, false, line, TELL_TIMEOUT);
      Runtime.getRuntime().halt(StepWatchdog.EXIT_CODE);
    });
  }

  /**
   * The config with its replicas spread over the workers ({@link TrainingLayout#acrossWorkers}).
   *
   * @throws ConfigException if the batch cannot be split into that many towers
   */
  @Override
  public ExperimentConfig configure(ExperimentConfig config) {
    ExperimentConfig spread = spread(config, spec.workerCount());
    shards = BatchShards.plan(TrainingLayout.of(spread.getTrain()), spread.getTrain().getBatchSize()).orElse(null);
    return spread;
  }

  static ExperimentConfig spread(ExperimentConfig config, int workers) {
    TrainConfig train = config.getTrain();
    TrainingLayout local = TrainingLayout.of(train);
    TrainingLayout spread = local.acrossWorkers(ClusterSpec.WORKER, workers);
    int towers = spread.towerDevices().size();
    if (train.getBatchSize() % towers != 0) {
      String split = spread == local ? spread.devices().size() + " devices of train.devices"
          : workers + " workers x " + Math.max(1, local.devices().size()) + " device(s)";
      throw new ConfigException(String.format("train.batch_size %d cannot be split into %d towers (%s x %d "
          + "micro-batch(es)): on a cluster it is the global batch, workers x devices x per-device batch; use a "
          + "multiple of %d", train.getBatchSize(), towers, split, spread.accumulation(), towers));
    }
    if (spread == local) {
      return config;
    }
    ExperimentConfig changed = config.toBuilder()
        .setTrain(train.toBuilder().clearDevices().addAllDevices(spread.devices())).build();
    return ConfigLoader.parse(ConfigLoader.toText(changed), "the cluster layout of " + config.getName());
  }

  /** The chief's own rows (task 0's shard); every other worker reads its rows itself. */
  @Override
  public BatchLoader.Rows rows(ExperimentConfig config) {
    int batch = config.getTrain().getBatchSize();
    return BatchShards.plan(TrainingLayout.of(config.getTrain()), batch)
        .map(shards -> BatchShards.of(shards, spec.task()).rows()).orElse(BatchLoader.Rows.all(batch));
  }

  @Override
  public void starting(long step, int trainingImages) {
    if (shards != null) {
      BatchShards.announceStart(server, shards, new BatchShards.Start(step, trainingImages), TELL_TIMEOUT);
    }
  }

  @Override
  public Session open(TrainingModel model, TrainingLayout layout) {
    Map<String, Integer> placed = TowerPlacement.place(model.graph(), layout.towerDevices());
    List<String> idle = new ArrayList<>();
    for (int task = 0; task < spec.workerCount(); task++) {
      if (task != spec.task() && TowerPlacement.opsOnTask(model.graph(), task) == 0) {
        idle.add("worker " + task);
      }
    }
    out.printf("cluster: %d workers, %s; backprop pinned to the towers' devices (%s ops)%n", spec.workerCount(),
        layout.describe(), placed.isEmpty() ? "no gradient" : placed.values().stream().map(String::valueOf)
            .reduce((a, b) -> a + " + " + b).orElseThrow());
    if (!idle.isEmpty()) {
      out.printf("note: the model's graph puts no op on %s: it does not build its step from train.devices, so only "
          + "the chief computes%n", String.join(", ", idle));
    }
    // operation_timeout_in_ms bounds every call to a worker; the watchdog should speak first.
    ConfigProto config = model.sessionConfig().toBuilder()
        .setOperationTimeoutInMs(stepTimeout.plusSeconds(60).toMillis()).build();
    return RemoteSession.open(model.graph(), server.target(), config, Duration.ofSeconds(30));
  }

  @Override
  public <T> T guard(String what, Call<T> call) throws IOException {
    try {
      return watchdog.run(what, () -> {
        try {
          return call.run();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /**
   * Prints the failure as the one 'error:' line of the run, tells the workers and halts the JVM
   * with {@link ClusterException#EXIT_CODE}: what the watchdog does for a hung step, here for a
   * step that failed. Checkpoints are published atomically, so the halt leaves none half-written.
   */
  @Override
  public ClusterException stop(ClusterException failure) {
    String line = oneLine(failure);
    System.out.flush();
    System.err.println("error: " + line);
    System.err.flush();
    tellWorkers(false, line);
    Runtime.getRuntime().halt(ClusterException.EXIT_CODE);
    return failure;
  }

  /** Tells the other workers how the run ended (see {@link ClusterWorker#tell}). */
  void tellWorkers(boolean finished, String line) {
    ClusterWorker.tell(server, finished, line, TELL_TIMEOUT);
  }

  @Override
  public void close() {
    watchdog.close();
  }

  /** The failure as the workers print it: one line. */
  static String oneLine(Throwable e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }

}
