package org.diffusiondepot.runtime;

import picocli.CommandLine;

/**
 * How both command-line tools ({@code depot} and {@code depot-sample}) end on an exception, so
 * they classify errors the same way: a {@link UserError} is one line on stderr, {@code error: }
 * and its message, and exits with its code; anything else is a bug, printed with its stack trace,
 * and exits with {@link #BUG}.
 */
public final class UserErrorHandler implements CommandLine.IExecutionExceptionHandler {
  /** The exit code of an exception that is not a {@link UserError}. */
  public static final int BUG = 1;

  /** The exit codes as both tools' help lists them (picocli's {@code exitCodeList}). */
  public static final String HELP_OK = "0:done";
  public static final String HELP_BUG = "1:a bug: its stack trace is printed (please report it)";
  public static final String HELP_BAD_INPUT = "2:bad input (a config field, an option, a file); one 'error:' line "
      + "names it and what was expected";
  public static final String HELP_NUMERICAL = "3:a numerical failure, e.g. a training loss that became NaN; one "
      + "'error:' line says what to change";

  @Override
  public int handleExecutionException(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
    if (e instanceof UserError user) {
      cli.getErr().println("error: " + user.getMessage());
      cli.getErr().flush();
      return user.exitCode();
    }
    e.printStackTrace(cli.getErr());
    cli.getErr().flush();
    return BUG;
  }
}
