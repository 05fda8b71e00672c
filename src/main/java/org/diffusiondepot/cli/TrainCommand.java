package org.diffusiondepot.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.diffusiondepot.cluster.ClusterSpec;
import org.diffusiondepot.firststage.FirstStageTraining;
import org.diffusiondepot.proto.Task;
import org.diffusiondepot.runtime.OptionException;
import org.diffusiondepot.train.ClusterTraining;
import org.diffusiondepot.train.DiffusionTraining;
import org.diffusiondepot.train.TrainingRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "train", description = "Train a model; re-running the same command resumes from the "
    + "run's latest checkpoint.",
    footer = {
        "  tools/depot train graphs/demo/uncond.pbtxt --data builtin \\",
        "      --out checkpoints/demo",
        "  tools/depot train graphs/lhq_udm.pbtxt --data /data/lhq_1024 \\",
        "      --out checkpoints/lhq --steps 5000",
        "  tools/depot train graphs/demo/uncond.pbtxt --data builtin \\",
        "      --out checkpoints/b8 --set train.batch_size=8 --set train.learning_rate=1e-3",
        "Run the same command again to resume."})
final class TrainCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "CONFIG", description = "experiment config (.pbtxt)")
  Path config;

  @Option(names = "--data", required = true, paramLabel = "DIR|builtin",
      description = "image folder (PNG/JPEG, searched recursively; one subfolder per class for "
          + "class-conditional models) or 'builtin' for the generated shapes data set")
  String data;

  @Option(names = "--out", required = true, paramLabel = "RUN_DIR",
      description = "run directory: checkpoints, TensorBoard events, samples")
  Path out;

  @Option(names = "--steps", paramLabel = "N",
      description = "stop when the global step reaches N (default: train.iterations of the config)")
  Long steps;

  @Mixin
  ConfigOverrideOption set;

  @Mixin
  LayoutOptions layout;

  @Option(names = "--cluster", paramLabel = "FILE",
      description = "train on several machines: a ClusterDef in text format listing one host:port per process "
          + "in job \"worker\" (worker 0 is the chief); run the same command on each with its --task. Without it "
          + "the TF_CONFIG environment variable is used when set")
  Path cluster;

  @Option(names = "--task", paramLabel = "I", description = "this process's index in the --cluster file")
  Integer task;

  @Option(names = "--cluster-wait", paramLabel = "SECONDS", defaultValue = "300",
      description = "on a cluster: how long the chief waits for the workers at start, and a worker for the chief "
          + "(default: ${DEFAULT-VALUE})")
  long clusterWait;

  @Option(names = "--step-timeout", paramLabel = "SECONDS", defaultValue = "600",
      description = "on a cluster: the longest a step may take before the chief stops the run and names the "
          + "workers that no longer answer (default: ${DEFAULT-VALUE})")
  long stepTimeout;

  @Override
  public Integer call() throws Exception {
    if (steps != null && steps <= 0) {
      throw new OptionException("--steps must be positive, got " + steps);
    }
    TrainingRequest request = new TrainingRequest(config, data, out, steps, set.overrides(layout.assignments()));
    boolean firstStage = request.loadConfig().getTask() == Task.FIRST_STAGE;
    Optional<ClusterSpec> spec = clusterSpec();
    if (spec.isPresent()) {
      if (clusterWait <= 0 || stepTimeout <= 0) {
        throw new OptionException("--cluster-wait and --step-timeout must be positive, got " + clusterWait + " and "
            + stepTimeout);
      }
      ClusterTraining.run(request, firstStage ? FirstStageTraining::new : DiffusionTraining::new,
          firstStage ? FirstStageTraining::batches : DiffusionTraining::batches, spec.get(),
          new ClusterTraining.Timeouts(Duration.ofSeconds(clusterWait), Duration.ofSeconds(stepTimeout)), System.out);
      return 0;
    }
    if (firstStage) {
      FirstStageTraining.run(request, System.out);
    } else {
      DiffusionTraining.run(request, System.out);
    }
    return 0;
  }

  /** --cluster FILE --task I, else TF_CONFIG, else none (one machine). */
  private Optional<ClusterSpec> clusterSpec() {
    if (cluster == null) {
      if (task != null) {
        throw new OptionException("--task needs --cluster FILE (or set TF_CONFIG instead of both)");
      }
      return ClusterSpec.fromEnvironment(System.getenv());
    }
    if (task == null) {
      throw new OptionException("--cluster needs --task I, this process's index in " + cluster);
    }
    return Optional.of(ClusterSpec.fromClusterFile(cluster, task));
  }
}
