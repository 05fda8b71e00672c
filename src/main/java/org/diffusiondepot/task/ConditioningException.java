package org.diffusiondepot.task;

import org.diffusiondepot.runtime.UserError;

/** A sampling request whose conditioning does not fit the model's task: the message says what to give. */
public final class ConditioningException extends UserError {
  private static final long serialVersionUID = 1L;

  public ConditioningException(String message) {
    super(message);
  }
}
