package org.diffusiondepot.data;

/** Data that cannot be used at all; the message names the folder or file and what was expected. */
public final class DataException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public DataException(String message) {
    super(message);
  }

  public DataException(String message, Throwable cause) {
    super(message, cause);
  }
}
