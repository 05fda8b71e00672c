package org.diffusiondepot.train;

/**
 * A preview's sampling chain given up between two steps because the run was asked to stop
 * (Ctrl-C / SIGTERM): a long chain would otherwise hold the stop past the shutdown hook's patience.
 */
public final class PreviewStoppedException extends RuntimeException {
  public PreviewStoppedException(int stepsDone, int steps) {
    super("preview stopped after " + stepsDone + " of " + steps + " sampling steps");
  }
}
