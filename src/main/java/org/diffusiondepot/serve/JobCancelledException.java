package org.diffusiondepot.serve;

/**
 * Thrown from the step listener when a running job was cancelled: it unwinds the sampling chain
 * between two steps, the only points where the library hands control back.
 */
final class JobCancelledException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  JobCancelledException() {
    super("cancelled", null, false, false);
  }
}
