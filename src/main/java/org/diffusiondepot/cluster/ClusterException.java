package org.diffusiondepot.cluster;

/**
 * The cluster cannot be used as described: a task does not answer, a server cannot start, or a
 * worker died. The message is one line that names the task and its address, because the person
 * reading it has to find the machine; the CLI should print it like a config error.
 */
public final class ClusterException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ClusterException(String message) {
    super(message);
  }

  public ClusterException(String message, Throwable cause) {
    super(message, cause);
  }
}
