package org.diffusiondepot.sampler;

import org.diffusiondepot.runtime.UserError;

/**
 * An export that cannot be used or a sampling request that cannot be served; the message says
 * what to change.
 */
public final class SamplingException extends UserError {
  private static final long serialVersionUID = 1L;

  public SamplingException(String message) {
    super(message);
  }

  public SamplingException(String message, Throwable cause) {
    super(message, cause);
  }
}
