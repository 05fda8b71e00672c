package org.diffusiondepot.cli;

import org.diffusiondepot.runtime.UserErrorHandler;
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
    return commandLine().execute(args);
  }

  /** The command with its subcommands and the shared error handling, ready to execute. */
  static CommandLine commandLine() {
    return new CommandLine(new DepotCli()).setExecutionExceptionHandler(new UserErrorHandler());
  }
}
