package org.diffusiondepot.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.diffusiondepot.bench.TrainingBenchmark;
import org.diffusiondepot.config.ConfigLoader;
import org.diffusiondepot.proto.ExperimentConfig;
import org.diffusiondepot.runtime.OptionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "bench", description = "Time training steps and single denoising steps of a config's "
    + "model on random data (images/s, seconds per step). Run it on an idle machine.",
    footer = {
        "  tools/depot bench graphs/demo/uncond.pbtxt",
        "  tools/depot bench graphs/lhq_udm.pbtxt --batch 4 --steps 5 --profile",
        "  tools/depot bench graphs/demo/uncond.pbtxt --set model.block=CONVNEXT_7X7"})
final class BenchCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "CONFIG", description = "experiment config (.pbtxt)")
  Path config;

  @Option(names = "--batch", description = "training batch (default: the config's)")
  Integer batch;

  @Option(names = "--sample-batch", description = "sampling batch (default: the training batch)")
  Integer sampleBatch;

  @Option(names = "--warmup", defaultValue = "2", description = "untimed steps first (default: ${DEFAULT-VALUE})")
  int warmup;

  @Option(names = "--steps", defaultValue = "10", description = "timed steps (default: ${DEFAULT-VALUE})")
  int steps;

  @Option(names = "--profile", description = "also trace one training step and one sampling step and print time per op type")
  boolean profile;

  @Mixin
  ConfigOverrideOption set;

  @Mixin
  LayoutOptions layout;

  @Override
  public Integer call() {
    List<String> more = new ArrayList<>(layout.assignments());
    if (batch != null && batch > 0) {
      more.add("train.batch_size=" + batch);  // validated with the layout, which must divide it
    }
    ExperimentConfig c = ConfigLoader.load(config, set.overrides(more));
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
