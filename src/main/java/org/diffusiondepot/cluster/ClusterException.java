package org.diffusiondepot.cluster;

import org.diffusiondepot.runtime.UserError;

/**
 * The cluster cannot be used as described: a task does not answer, a server cannot start, or a
 * worker died. The message is one line that names the task and its address, because the person
 * reading it has to find the machine; the CLI prints it as {@code error: ...} and exits with
 * {@link #EXIT_CODE}.
 */
public final class ClusterException extends UserError {
  /** The exit code of a process that stops because of the cluster (also the watchdog's). */
  public static final int EXIT_CODE = 4;

  private static final long serialVersionUID = 1L;

  public ClusterException(String message) {
    super(message, null, EXIT_CODE);
  }

  public ClusterException(String message, Throwable cause) {
    super(message, cause, EXIT_CODE);
  }
}
