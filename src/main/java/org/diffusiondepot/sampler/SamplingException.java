package org.diffusiondepot.sampler;

/** A sampling request that cannot be served; the message says what to change. */
public final class SamplingException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public SamplingException(String message) {
    super(message);
  }
}
