package org.diffusiondepot.run;

import org.diffusiondepot.runtime.UserError;


/** A run directory that another live job holds. */
public final class RunBusyException extends UserError {
  private static final long serialVersionUID = 1L;

  public RunBusyException(String message) {
    super(message);
  }
}
