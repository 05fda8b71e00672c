package org.diffusiondepot.cli;

import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.diffusiondepot.config.ConfigLoader;
import org.diffusiondepot.runtime.KernelChoices;
import org.diffusiondepot.runtime.KernelChoices.Choice;
import org.diffusiondepot.runtime.KernelChoices.Kernels;
import org.diffusiondepot.runtime.KernelTrial;
import org.diffusiondepot.runtime.OptionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tools/depot tune-kernels CONFIG}: times the config's training step ({@code bench --only
 * training}) with TensorFlow's Eigen kernels and with its oneDNN ones, each in a fresh JVM (the
 * choice is made once per process), alternating round by round so that a busy machine slows both
 * alike, and records the faster for this CPU and config ({@link KernelChoices#trainingKey}), where
 * tools/depot finds it for {@code train} and {@code bench} of that config.
 */
@Command(name = "tune-kernels",
    description = {"Time a config's training step with TensorFlow's Eigen kernels and with its oneDNN kernels, "
        + "each in its own process, and record the faster for this CPU and this config file. tools/depot train "
        + "and bench of the same config file then run with it (TF_ENABLE_ONEDNN_OPTS, unless already set). Run it "
        + "once per machine type and config, on an idle machine; editing the config asks for a new run."},
    footer = {
        "  tools/depot tune-kernels graphs/bench/tiny.pbtxt",
        "  tools/depot tune-kernels graphs/lhq_udm.pbtxt --steps 3 --rounds 3",
        "  tools/depot tune-kernels graphs/bench/tiny.pbtxt --show"})
final class TuneKernelsCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "CONFIG", description = "experiment config (.pbtxt)")
  Path config;

  @Option(names = "--steps", defaultValue = "5", description = "timed training steps per process, after one "
      + "untimed step (default: ${DEFAULT-VALUE})")
  int steps;

  @Option(names = "--rounds", defaultValue = "2", description = "processes per kernel set, alternating "
      + "(default: ${DEFAULT-VALUE})")
  int rounds;

  @Option(names = "--file", paramLabel = "FILE", description = "where choices are recorded (default: "
      + "$DEPOT_KERNELS_FILE, else $XDG_CACHE_HOME or ~/.cache, then diffusion-depot/kernels.tsv); the "
      + "launcher reads $DEPOT_KERNELS_FILE or that default")
  Path file;

  @Option(names = "--show", description = "print what is recorded for this CPU and config and where, and time nothing")
  boolean show;

  @Override
  public Integer call() throws IOException, InterruptedException {
    PrintStream out = System.out;
    Path file = this.file != null ? this.file : KernelChoices.file(System.getenv());
    ConfigLoader.load(config); // names a missing or broken config before any timing
    String cpu = KernelChoices.cpuKey().orElseThrow(() -> new OptionException("cannot tell this CPU (no 'model "
        + "name' and 'flags' in /proc/cpuinfo), so a choice could not be found again; set "
        + KernelChoices.TENSORFLOW_VARIABLE + "=0 (Eigen) or 1 (oneDNN) for tools/depot train yourself"));
    String key = KernelChoices.trainingKey(cpu, config);
    if (show) {
      out.println(KernelChoices.describe(file, key, "training runs TensorFlow's default kernels"));
      out.printf("file: %s%n", file);
      return 0;
    }
    if (steps < 1 || rounds < 1) {
      throw new OptionException("--steps and --rounds must be at least 1, got " + steps + " and " + rounds);
    }
    KernelTrial.Comparison medians = KernelTrial.compare(rounds, this::trainingStep, (round, kernels, seconds) ->
        out.printf("round %d: %-6s %.3f s per training step (median of %d)%n", round, kernels.label(), seconds, steps));
    Kernels faster = medians.faster();
    String evidence = String.format(Locale.ROOT, "eigen %.4f s, onednn %.4f s per training step (medians of %d "
        + "rounds; %s, %s)", medians.eigen(), medians.onednn(), rounds, config.toAbsolutePath().normalize(),
        LocalDate.now());
    KernelChoices.record(file, new Choice(key, faster, evidence));
    out.printf("%s: %s is %.2fx as fast; recorded in %s (%s=%s for tools/depot train and bench of %s)%n", key,
        faster.label(), medians.speedup(), file, KernelChoices.TENSORFLOW_VARIABLE,
        faster.variableValue(), config);
    return 0;
  }

  /** The median training step of one child JVM running {@code bench CONFIG --only training} with {@code kernels}. */
  private double trainingStep(Kernels kernels) throws IOException, InterruptedException {
    KernelTrial.Outcome run = KernelTrial.run(kernels, DepotCli.class.getName(), List.of("bench", config.toString(),
        "--only", "training", "--warmup", "1", "--steps", Integer.toString(steps)));
    String line = run.stdout().lines().filter(l -> l.startsWith("RESULT ")).reduce((a, b) -> b).orElse(null);
    if (run.exitCode() != 0 || line == null) {
      throw new OptionException(run.failure("training " + config + " with " + kernels.label() + " kernels"));
    }
    return JsonParser.parseString(line.substring("RESULT ".length())).getAsJsonObject().get("train_step_s")
        .getAsDouble();
  }
}
