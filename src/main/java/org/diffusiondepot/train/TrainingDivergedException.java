package org.diffusiondepot.train;

import org.diffusiondepot.runtime.UserError;

/**
 * A run stopped because its loss stopped being finite: what happened, where the last good state
 * is, and what to try. A numerical failure, not a bug: the CLI prints it as one line (exit code 3).
 */
public final class TrainingDivergedException extends UserError {
  private static final long serialVersionUID = 1L;

  public TrainingDivergedException(String message) {
    super(message, null, NUMERICAL_FAILURE);
  }
}
