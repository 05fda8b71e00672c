package org.diffusiondepot.run;

import java.io.IOException;

/**
 * A checkpoint that could not be written (a full disk, a lost mount): its temporary files are gone
 * and the previously published checkpoint is untouched. The message says both.
 */
public final class CheckpointWriteException extends IOException {
  private static final long serialVersionUID = 1L;

  public CheckpointWriteException(String message, Throwable cause) {
    super(message, cause);
  }
}
