package org.diffusiondepot.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.diffusiondepot.report.ReportBuilder;
import org.diffusiondepot.report.ReportOptions;
import org.diffusiondepot.runtime.OptionException;
import org.diffusiondepot.sampler.ModelCards;
import org.diffusiondepot.run.RunDirectory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "report", description = "Write a static HTML report (schedules, forward and reverse process, "
    + "training curves, samples, metrics) for a run and/or an export.",
    footer = {
        "  tools/depot report checkpoints/demo checkpoints/demo-export \\",
        "      --out reports/demo",
        "  tools/check-report reports/demo"})
final class ReportCommand implements Callable<Integer> {
  @Parameters(arity = "1..2", paramLabel = "RUN_DIR|EXPORT_DIR",
      description = "a training run, an export, or both (in any order)")
  Path[] inputs;

  @Option(names = "--out", required = true, paramLabel = "REPORT_DIR")
  Path out;

  @Option(names = "--data", paramLabel = "DIR|builtin", description = "images for the forward-process figures "
      + "(default: the config's data set when it can be found, else the built-in shapes)")
  String data;

  @Option(names = "--samples", defaultValue = "16", description = "samples per grid (default: ${DEFAULT-VALUE})")
  int samples;

  @Option(names = "--steps", defaultValue = "50", description = "DDIM steps for the grids (default: ${DEFAULT-VALUE})")
  int steps;

  @Option(names = "--seed", defaultValue = "0")
  long seed;

  @Override
  public Integer call() throws Exception {
    // ReportOptions checks these too, for code that builds reports; here they are the user's options.
    if (samples < 1 || steps < 1) {
      throw new OptionException("--samples and --steps must be at least 1, got " + samples + " and " + steps);
    }
    Path run = null;
    Path export = null;
    for (Path p : inputs) {
      if (Files.exists(p.resolve(ModelCards.FILE))) {
        export = p;
      } else if (Files.exists(p.resolve(RunDirectory.CONFIG))) {
        run = p;
      } else {
        throw new OptionException(p + " is neither a run directory (no " + RunDirectory.CONFIG
            + ") nor an export (no " + ModelCards.FILE + ")");
      }
    }
    Path index = ReportBuilder.build(run, export, out, System.out,
        new ReportOptions(samples, steps, seed, data));
    System.out.println("report written to " + index + " (open it in a browser; check it headless with "
        + "tools/check-report " + out + ")");
    return 0;
  }
}
