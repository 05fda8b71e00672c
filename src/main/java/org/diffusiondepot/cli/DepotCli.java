package org.diffusiondepot.cli;

import org.diffusiondepot.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code depot} command: one entry point with a subcommand per job. */
@Command(name = "depot", mixinStandardHelpOptions = true, version = "Diffusion Depot 0.1",
    description = "Train, export and sample denoising diffusion models with TensorFlow Java.",
    subcommands = {DescribeCommand.class, TrainCommand.class, ExportCommand.class, EvalCommand.class, ReportCommand.class,
        BenchCommand.class})
public final class DepotCli {
  public static void main(String[] args) {
    System.exit(execute(args));
  }

  public static int execute(String... args) {
    CommandLine cli = new CommandLine(new DepotCli());
    cli.setExecutionExceptionHandler(DepotCli::handle);
    return cli.execute(args);
  }

  /** Problems a user can fix are one line on stderr and exit code 2; bugs keep their stack trace. */
  static int handle(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
    if (isUserError(e)) {
      cli.getErr().println("error: " + e.getMessage());
      return 2;
    }
    e.printStackTrace(cli.getErr());
    return 1;
  }

  static boolean isUserError(Throwable e) {
    return e instanceof ConfigException
        || e instanceof org.diffusiondepot.data.DataException
        || e instanceof org.diffusiondepot.sampler.SamplingException
        || e instanceof org.diffusiondepot.eval.MissingInceptionGraphException
        || e instanceof IllegalArgumentException
        || e instanceof java.nio.file.NoSuchFileException
        || e instanceof java.nio.file.AccessDeniedException;
  }
}
