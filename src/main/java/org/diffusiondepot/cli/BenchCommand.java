package org.diffusiondepot.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.diffusiondepot.bench.TrainingBenchmark;
import org.diffusiondepot.config.ConfigLoader;
import org.diffusiondepot.proto.ExperimentConfig;
import org.diffusiondepot.proto.Precision;
import org.diffusiondepot.runtime.OptionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "bench", description = "Time training steps and single denoising steps of a config's "
    + "model on random data (images/s, seconds per step). Run it on an idle machine.")
final class BenchCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "CONFIG")
  Path config;

  @Option(names = "--batch", description = "training batch (default: the config's)")
  Integer batch;

  @Option(names = "--sample-batch", description = "sampling batch (default: the training batch)")
  Integer sampleBatch;

  @Option(names = "--warmup", defaultValue = "2", description = "untimed steps first (default: ${DEFAULT-VALUE})")
  int warmup;

  @Option(names = "--steps", defaultValue = "10", description = "timed steps (default: ${DEFAULT-VALUE})")
  int steps;

  @Option(names = "--profile", description = "also trace one training step and print time per op type")
  boolean profile;

  @Option(names = "--precision", paramLabel = "FP32|BF16|FP16",
      description = "arithmetic of the training step (default: the config's train.precision)")
  Precision precision;

  @Option(names = "--devices", paramLabel = "N", description = "data-parallel replicas (virtual CPU devices on a CPU)")
  Integer devices;

  @Option(names = "--accumulation", paramLabel = "K", description = "micro-batches per update")
  Integer accumulation;

  @Override
  public Integer call() {
    ExperimentConfig c = Layouts.override(ConfigLoader.load(config), precision, devices, accumulation,
        batch != null ? batch : null);
    int b = batch != null ? batch : c.getTrain().getBatchSize();
    int sb = sampleBatch != null ? sampleBatch : b;
    if (b <= 0 || sb <= 0 || steps <= 0 || warmup < 0) {
      throw new OptionException("--batch, --sample-batch and --steps must be positive and --warmup not negative, got "
          + b + ", " + sb + ", " + steps + " and " + warmup);
    }
    TrainingBenchmark.Result r = TrainingBenchmark.run(c, b, sb, warmup, steps, profile, System.out);
    System.out.printf("[%s] train step median %.3fs (batch %d, %d contended), %.2f img/s; "
            + "sample step median %.3fs (batch %d, %d contended)%n", c.getName(), r.trainStepSeconds(), b,
        r.contendedTrain(), r.imagesPerSecond(), r.sampleStepSeconds(), sb, r.contendedSample());
    System.out.printf("RESULT {\"config\":\"%s\",\"batch\":%d,\"train_step_s\":%.4f,\"img_per_s\":%.3f,"
            + "\"sample_batch\":%d,\"sample_step_s\":%.4f}%n", c.getName(), b, r.trainStepSeconds(),
        r.imagesPerSecond(), sb, r.sampleStepSeconds());
    return 0;
  }
}
