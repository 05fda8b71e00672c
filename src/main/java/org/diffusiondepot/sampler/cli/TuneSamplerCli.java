package org.diffusiondepot.sampler.cli;

import com.google.common.math.Quantiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.diffusiondepot.runtime.KernelChoices;
import org.diffusiondepot.runtime.KernelChoices.Choice;
import org.diffusiondepot.runtime.KernelChoices.Kernels;
import org.diffusiondepot.runtime.KernelTrial;
import org.diffusiondepot.runtime.OptionException;
import org.diffusiondepot.runtime.UserErrorHandler;
import org.diffusiondepot.sampler.SamplingException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tools/depot-tune-sampler}: times the sampling step of an export with TensorFlow's Eigen
 * kernels and with its oneDNN ones, each in a fresh JVM (the choice is made once per process),
 * alternating them round by round so that a busy machine slows both alike, and records the faster
 * for this CPU ({@link KernelChoices}), where tools/depot-sample and tools/depot-serve find
 * it.
 */
@Command(name = "depot-tune-sampler", mixinStandardHelpOptions = true,
    description = {"Time an export's sampling step with TensorFlow's Eigen kernels and with its oneDNN kernels, "
        + "each in its own process, and record the faster for this CPU. tools/depot-sample and "
        + "tools/depot-serve then run with it (TF_ENABLE_ONEDNN_OPTS, unless already set). Run it once per "
        + "machine type, on an idle machine, with an export like the ones you sample."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {UserErrorHandler.HELP_OK, UserErrorHandler.HELP_BUG, UserErrorHandler.HELP_BAD_INPUT},
    footerHeading = "%nExamples:%n",
    footer = {
        "  tools/depot-tune-sampler --model checkpoints/demo-export",
        "  tools/depot-tune-sampler --model exports/lhq --batch 4 --steps 3 --rounds 3",
        "  tools/depot-tune-sampler --show"})
public final class TuneSamplerCli implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--model", paramLabel = "EXPORT_DIR", description = "the export to time")
  Path model;

  @Option(names = "--batch", defaultValue = "16", description = "images per network call, as depot-sample's "
      + "--batch (default: ${DEFAULT-VALUE})")
  int batch;

  @Option(names = "--steps", defaultValue = "5", description = "timed steps per process, after one untimed call "
      + "(default: ${DEFAULT-VALUE})")
  int steps;

  @Option(names = "--rounds", defaultValue = "3", description = "processes per kernel set, alternating "
      + "(default: ${DEFAULT-VALUE})")
  int rounds;

  @Option(names = "--file", paramLabel = "FILE", description = "where choices are recorded (default: "
      + "$DEPOT_KERNELS_FILE, else $XDG_CACHE_HOME or ~/.cache, then diffusion-depot/kernels.tsv); the "
      + "launchers read $DEPOT_KERNELS_FILE or that default")
  Path file;

  @Option(names = "--show", description = "print what is recorded for this CPU and where, and time nothing")
  boolean show;

  public static void main(String[] args) {
    System.exit(execute(new java.io.PrintWriter(System.out, true), new java.io.PrintWriter(System.err, true), args));
  }

  public static int execute(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
    return SampleCli.commandLine(new TuneSamplerCli(), out, err).execute(args);
  }

  @Override
  public Integer call() throws IOException, InterruptedException {
    java.io.PrintWriter out = spec.commandLine().getOut();
    Path file = this.file != null ? this.file : KernelChoices.file(System.getenv());
    String cpu = KernelChoices.cpuKey().orElseThrow(() -> new OptionException("cannot tell this CPU "
        + "(no 'model name' and 'flags' in /proc/cpuinfo), so a choice could not be found again; set " + KernelChoices
        .TENSORFLOW_VARIABLE + "=0 (Eigen) or 1 (oneDNN) for tools/depot-sample yourself"));
    if (show) {
      out.println(KernelChoices.describe(file, cpu, "the sampler runs TensorFlow's default kernels"));
      out.printf("file: %s%n", file);
      return 0;
    }
    if (model == null) {
      throw new OptionException("--model EXPORT_DIR is required (or --show)");
    }
    if (!Files.isRegularFile(model.resolve("saved_model.pb"))) {
      throw new SamplingException(model + " is not an export (no saved_model.pb); make one with tools/depot export");
    }
    if (batch < 1 || steps < 1 || rounds < 1) {
      throw new OptionException("--batch, --steps and --rounds must be at least 1, got " + batch + ", " + steps
          + " and " + rounds);
    }
    KernelTrial.Comparison medians = KernelTrial.compare(rounds, kernels -> median(probe(kernels)),
        (round, kernels, median) -> out.printf("round %d: %-6s %.3f s per step (median of %d)%n", round,
            kernels.label(), median, steps));
    Kernels faster = medians.faster();
    String evidence = String.format(Locale.ROOT, "eigen %.4f s, onednn %.4f s per step (medians of %d rounds; "
        + "%s, batch %d, %s)", medians.eigen(), medians.onednn(), rounds, model.toAbsolutePath().normalize(), batch,
        LocalDate.now());
    KernelChoices.record(file, new Choice(cpu, faster, evidence));
    out.printf("%s: %s is %.2fx as fast; recorded in %s (%s=%s for tools/depot-sample and tools/depot-serve)%n", cpu,
        faster.label(), medians.speedup(), file, KernelChoices.TENSORFLOW_VARIABLE,
        faster.variableValue());
    return 0;
  }

  /** Step times of one child JVM running {@link SamplingStepProbe} with {@code kernels}. */
  private List<Double> probe(Kernels kernels) throws IOException, InterruptedException {
    KernelTrial.Outcome run = KernelTrial.run(kernels, SamplingStepProbe.class.getName(),
        List.of(model.toString(), Integer.toString(batch), Integer.toString(steps)));
    String line = run.stdout().lines().filter(l -> l.startsWith(SamplingStepProbe.PREFIX)).reduce((a, b) -> b)
        .orElse(null);
    if (run.exitCode() != 0 || line == null) {
      throw new SamplingException(run.failure("sampling " + model + " with " + kernels.label() + " kernels"));
    }
    List<Double> seconds = new ArrayList<>();
    for (String field : line.substring(SamplingStepProbe.PREFIX.length()).trim().split("\\s+")) {
      if (!field.isEmpty()) {
        seconds.add(Double.parseDouble(field));
      }
    }
    if (seconds.isEmpty()) {
      throw new SamplingException("sampling " + model + " with " + kernels.label() + " kernels timed no step");
    }
    return seconds;
  }

  private static double median(List<Double> values) {
    return Quantiles.median().compute(values);
  }
}
