package org.diffusiondepot.data;

import org.diffusiondepot.runtime.UserError;

/** Data that cannot be used at all; the message names the folder or file and what was expected. */
public final class DataException extends UserError {
  private static final long serialVersionUID = 1L;

  public DataException(String message) {
    super(message);
  }

  public DataException(String message, Throwable cause) {
    super(message, cause);
  }
}
