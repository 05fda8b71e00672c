package org.diffusiondepot.train;

import org.diffusiondepot.runtime.UserError;

/**
 * A run stopped because its directory could not be written (a full disk, a lost mount); the
 * message says which checkpoint is intact and how to resume.
 */
public final class RunWriteException extends UserError {
  private static final long serialVersionUID = 1L;

  public RunWriteException(String message, Throwable cause) {
    super(message, cause);
  }
}
