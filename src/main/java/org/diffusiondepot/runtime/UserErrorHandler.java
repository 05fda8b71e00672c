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
