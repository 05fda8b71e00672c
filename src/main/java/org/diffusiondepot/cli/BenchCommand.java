package org.diffusiondepot.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.diffusiondepot.bench.TrainingBenchmark;
import org.diffusiondepot.config.ConfigLoader;
import org.diffusiondepot.proto.ExperimentConfig;
import org.diffusiondepot.runtime.ActiveKernels;
import org.diffusiondepot.runtime.OptionException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "bench", description = "Time training steps and single denoising steps of a config's "
    + "model on random data (images/s, seconds per step). Run it on an idle machine.",
    footer = {
        "  tools/depot bench graphs/demo/uncond.pbtxt",
        "  tools/depot bench graphs/lhq_udm.pbtxt --batch 4 --steps 5 --profile",
        "  tools/depot bench graphs/demo/uncond.pbtxt --set model.block=CONVNEXT_7X7",
        "  TF_ENABLE_ONEDNN_OPTS=1 tools/depot bench graphs/bench/tiny.pbtxt --only sampling"})
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

  @Option(names = "--only", paramLabel = "training|sampling", converter = PartConverter.class,
      description = "time one half only. TensorFlow picks its CPU kernels once per process (TF_ENABLE_ONEDNN_OPTS), "
          + "so tools/bench-vs-pytorch times sampling in a process of its own, with the kernels the sampler "
          + "launchers use on this CPU (tools/depot-tune-sampler), and training with the kernels tools/depot "
          + "tune-kernels recorded for the config")
  TrainingBenchmark.Part only;

  @Option(names = "--profile", description = "also trace one training step and one sampling step and print time per "
      + "op type; with DEPOT_PROFILE_LABELS=MS also each op that ran for MS milliseconds or longer, with its inputs")
  boolean profile;

  @Mixin
  ConfigOverrideOption set;

  @Mixin
  LayoutOptions layout;

  /** "training" or "sampling", in any case. */
  static final class PartConverter implements CommandLine.ITypeConverter<TrainingBenchmark.Part> {
    @Override
    public TrainingBenchmark.Part convert(String value) {
      return switch (value.strip().toLowerCase(java.util.Locale.ROOT)) {
        case "training" -> TrainingBenchmark.Part.TRAINING;
        case "sampling" -> TrainingBenchmark.Part.SAMPLING;
        default -> throw new CommandLine.TypeConversionException("expected training or sampling, got '" + value + "'");
      };
    }
  }

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
    TrainingBenchmark.Part part = only != null ? only : TrainingBenchmark.Part.BOTH;
    System.out.printf("[%s] CPU kernels: %s%n", c.getName(), ActiveKernels.describe());
    TrainingBenchmark.Result r = TrainingBenchmark.run(c, part, b, sb, warmup, steps, profile, System.out);
    List<String> summary = new ArrayList<>();
    List<String> fields = new ArrayList<>(List.of("\"config\":\"" + c.getName() + "\""));
    if (part != TrainingBenchmark.Part.SAMPLING) {
      summary.add(String.format("train step median %.3fs (batch %d, %d contended), %.2f img/s", r.trainStepSeconds(),
          b, r.contendedTrain(), r.imagesPerSecond()));
      fields.add(String.format("\"batch\":%d,\"train_step_s\":%.4f,\"img_per_s\":%.3f", b, r.trainStepSeconds(),
          r.imagesPerSecond()));
    }
    if (part != TrainingBenchmark.Part.TRAINING) {
      summary.add(String.format("sample step median %.3fs (batch %d, %d contended)", r.sampleStepSeconds(), sb,
          r.contendedSample()));
      fields.add(String.format("\"sample_batch\":%d,\"sample_step_s\":%.4f", sb, r.sampleStepSeconds()));
    }
    System.out.printf("[%s] %s%n", c.getName(), String.join("; ", summary));
    System.out.printf("RESULT {%s}%n", String.join(",", fields));
    return 0;
  }
}
