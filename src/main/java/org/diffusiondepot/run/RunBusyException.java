package org.diffusiondepot.run;


/** A run directory that another live job holds. */
public final class RunBusyException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public RunBusyException(String message) {
    super(message);
  }
}
