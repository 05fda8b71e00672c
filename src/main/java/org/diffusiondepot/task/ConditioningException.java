package org.diffusiondepot.task;

/** A sampling request whose conditioning does not fit the model's task: the message says what to give. */
public final class ConditioningException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public ConditioningException(String message) {
    super(message);
  }
}
