package org.diffusiondepot.cli;

import org.diffusiondepot.runtime.UserErrorHandler;
import org.diffusiondepot.runtime.VersionInfo;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.ScopeType;

/**
 * The {@code depot} command: one entry point with a subcommand per job. Its attributes are
 * inherited ({@link ScopeType#INHERIT}), so every subcommand answers {@code --help} and
 * {@code --version} (see {@link VersionInfo#install}) and lists the exit codes; each subcommand adds
 * its own examples.
 */
@Command(name = "depot", scope = ScopeType.INHERIT, mixinStandardHelpOptions = true,
    description = "Train, export and sample denoising diffusion models with TensorFlow Java.",
    subcommands = {HelpCommand.class, DescribeCommand.class, TrainCommand.class, ExportCommand.class,
        EvalCommand.class, ReportCommand.class, BenchCommand.class,
        TuneKernelsCommand.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {UserErrorHandler.HELP_OK, UserErrorHandler.HELP_BUG, UserErrorHandler.HELP_BAD_INPUT,
        UserErrorHandler.HELP_NUMERICAL},
    footerHeading = "%nExamples:%n",
    footer = {
        "  tools/depot describe graphs/demo/uncond.pbtxt",
        "  tools/depot train graphs/demo/uncond.pbtxt --data builtin \\",
        "      --out checkpoints/demo",
        "  tools/depot export checkpoints/demo --out checkpoints/demo-export",
        "  tools/depot-sample --model checkpoints/demo-export --out samples.png",
        "  tools/depot help train"})
public final class DepotCli {
  public static void main(String[] args) {
    System.exit(execute(args));
  }

  public static int execute(String... args) {
    return commandLine().execute(args);
  }

  /** The command with its subcommands, the shared error handling and --version, ready to execute. */
  static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new DepotCli()).setExecutionExceptionHandler(new UserErrorHandler());
    VersionInfo.install(cli);
    return cli;
  }
}
