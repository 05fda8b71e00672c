package org.diffusiondepot.train;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Optional;
import org.diffusiondepot.cluster.ClusterProbe;
import org.diffusiondepot.cluster.ClusterServer;
import org.diffusiondepot.cluster.ClusterSpec;
import org.diffusiondepot.cluster.ClusterWorker;
import org.diffusiondepot.proto.ExperimentConfig;
import org.diffusiondepot.run.CheckpointStore;
import org.diffusiondepot.run.RunDirectory;
import org.diffusiondepot.run.TrainingData;
import org.tensorflow.proto.ConfigProto;

/**
 * Synchronous data-parallel training on several machines, by in-graph replication: every process
 * runs the same {@code train} command with its task in the cluster. The chief (worker 0) runs the
 * one {@link TrainLoop}: its graph has a tower on every device of every worker, its variables and
 * optimizer live on the chief, and it alone writes checkpoints, events and previews. The other
 * workers start their TensorFlow server, host their devices, feed their own rows of every batch
 * ({@link ShardFeeder}) and wait until the chief says the run is over ({@link ClusterWorker}).
 * Works for any {@link TrainingModel} that builds its step with {@code optim.Towers} from
 * {@code train.devices} and takes its batch through a {@link BatchEncoder}.
 *
 * <p>In-graph replication was measured 5-15x faster here than collective all-reduce between
 * graphs (tools/cluster-probe). Its price: the chief sends the weights to each worker every step.
 * The data does not pass through the chief: each worker reads and encodes its own rows of every
 * batch and hands them to its towers through a queue on its own CPU ({@link BatchShards}).
 */
public final class ClusterTraining {
  /**
   * @param clusterWait how long the chief waits for the workers at start, and a worker for the chief
   * @param step the longest a step (or the first run, or a save) may take before the chief stops
   *     the run and names the workers that no longer answer
   */
  public record Timeouts(Duration clusterWait, Duration step) {}

  private ClusterTraining() {}

  /** Runs this process's part of the cluster {@code spec}: the chief trains, the others serve. */
  public static void run(TrainingRequest request, TrainingModel.Factory factory, BatchEncoder.Factory encoders,
      ClusterSpec spec, Timeouts timeouts, PrintStream out) throws IOException {
    ExperimentConfig config = ClusterChief.spread(request.loadConfig(),
        spec.workerCount());
    // every server gets the settings of the whole layout (threads, virtual CPU devices)
    TrainingLayout layout = TrainingLayout.of(config.getTrain());
    ConfigProto serverConfig = layout.sessionConfig();
    if (!spec.isChief()) {
      Optional<BatchShards.Shard> shard = BatchShards.plan(layout, config.getTrain().getBatchSize())
          .flatMap(shards -> shards.stream().filter(s -> s.task() == spec.task()).findFirst());
      // the data is opened before serving, so that a worker without it stops at once, naming it
      TrainingData data = shard.isPresent() ? TrainingData.open(request.data(), config) : null;
      String line = ClusterWorker.serve(spec, serverConfig, timeouts.clusterWait(), out,
          server -> shard.ifPresent(s -> ShardFeeder.start(server, s, config, data, encoders, out)));
      out.printf("the chief finished (%s); worker %d stops%n", line, spec.task());
      return;
    }
    ClusterServer server = ClusterServer.start(spec, serverConfig);
    out.printf("worker 0 (the chief) serving on %s, waiting up to %d s for %d other worker(s)%n", spec.ownAddress(),
        timeouts.clusterWait().toSeconds(), spec.workerCount() - 1);
    try (ClusterChief chief = new ClusterChief(server, timeouts.step(), out)) {
      try {
        ClusterProbe.awaitAll(spec, timeouts.clusterWait());
        TrainLoop.run(request, factory, out, chief);
      } catch (RuntimeException | IOException e) {
        chief.tellWorkers(false, ClusterChief.oneLine(e));
        throw e;
      }
      chief.tellWorkers(true, "run " + request.runDir() + latest(request));
    }
  }

  private static String latest(TrainingRequest request) throws IOException {
    return new CheckpointStore(new RunDirectory(request.runDir()).checkpoints(), 1).latest()
        .map(p -> ", checkpoint " + p.getFileName() + " on the chief").orElse("");
  }

}
