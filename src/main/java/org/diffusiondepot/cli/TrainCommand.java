package org.diffusiondepot.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.diffusiondepot.config.ConfigLoader;
import org.diffusiondepot.firststage.FirstStageTraining;
import org.diffusiondepot.proto.Precision;
import org.diffusiondepot.proto.Task;
import org.diffusiondepot.runtime.OptionException;
import org.diffusiondepot.train.DiffusionTraining;
import org.diffusiondepot.train.TrainingRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "train", description = "Train a model; re-running the same command resumes from the "
    + "run's latest checkpoint.")
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

  @Option(names = "--devices", paramLabel = "N",
      description = "data-parallel replicas: N GPUs when TensorFlow sees them, else N virtual CPU devices "
          + "(overrides train.devices; a run resumes on any count)")
  Integer devices;

  @Option(names = "--precision", paramLabel = "FP32|BF16|FP16",
      description = "arithmetic of the training step (overrides train.precision)")
  Precision precision;

  @Option(names = "--accumulation", paramLabel = "K", description = "micro-batches per update (overrides "
      + "train.accumulation_steps)")
  Integer accumulation;

  @Override
  public Integer call() throws Exception {
    if (steps != null && steps <= 0) {
      throw new OptionException("--steps must be positive, got " + steps);
    }
    TrainingRequest request = new TrainingRequest(config, data, out, steps,
        c -> Layouts.override(c, precision, devices, accumulation, null));
    if (ConfigLoader.load(config).getTask() == Task.FIRST_STAGE) {
      FirstStageTraining.run(request, System.out);
    } else {
      DiffusionTraining.run(request, System.out);
    }
    return 0;
  }
}
