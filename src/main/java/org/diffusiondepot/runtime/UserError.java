package org.diffusiondepot.runtime;

/**
 * A problem the user can fix, as opposed to a bug: a config value, a command-line option, a file
 * or folder that is missing or of the wrong kind. Both command-line tools print its message as one
 * line, {@code error: ...}, and exit with {@link #exitCode()} ({@link UserErrorHandler}); any other
 * exception is a bug and keeps its stack trace (exit 1). The message is all the user sees, so it
 * names the option, field or path and says what was expected.
 * <p>
 * Throw the subclass of the domain: {@code ConfigException} (experiment configs, run
 * directories), {@code DataException} (image data), {@code SamplingException} (exports and
 * sampling requests), {@link OptionException} (command-line options and the files they name),
 * {@code MissingInceptionGraphException}. A check of what the calling code passed (a programming
 * error) throws {@link IllegalArgumentException} or {@link IllegalStateException} instead.
 */
public abstract class UserError extends RuntimeException {
  /** The exit code of bad input: a value, option or file the user can correct. */
  public static final int BAD_INPUT = 2;
  /**
   * The exit code reserved for numerical failures the user can act on (a loss that became NaN:
   * lower the learning rate), for a subclass that passes it to {@link #UserError(String, Throwable, int)}.
   */
  public static final int NUMERICAL_FAILURE = 3;

  private static final long serialVersionUID = 1L;
  private final int exitCode;

  protected UserError(String message) {
    this(message, null, BAD_INPUT);
  }

  protected UserError(String message, Throwable cause) {
    this(message, cause, BAD_INPUT);
  }

  protected UserError(String message, Throwable cause, int exitCode) {
    super(message, cause);
    if (exitCode < BAD_INPUT) {
      // 0 means success and 1 a bug: a user error needs a code of its own
      throw new IllegalArgumentException("a user error exits with 2 or more, got " + exitCode);
    }
    this.exitCode = exitCode;
  }

  /** The process exit code: {@link #BAD_INPUT}, or the code a subclass chose. */
  public int exitCode() {
    return exitCode;
  }
}
