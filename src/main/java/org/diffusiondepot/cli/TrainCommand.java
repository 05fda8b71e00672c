package org.diffusiondepot.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.diffusiondepot.firststage.FirstStageTraining;
import org.diffusiondepot.proto.Task;
import org.diffusiondepot.runtime.OptionException;
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

  @Override
  public Integer call() throws Exception {
    if (steps != null && steps <= 0) {
      throw new OptionException("--steps must be positive, got " + steps);
    }
    TrainingRequest request = new TrainingRequest(config, data, out, steps, set.overrides(layout.assignments()));
    if (request.loadConfig().getTask() == Task.FIRST_STAGE) {
      FirstStageTraining.run(request, System.out);
    } else {
      DiffusionTraining.run(request, System.out);
    }
    return 0;
  }
}
