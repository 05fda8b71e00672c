package org.diffusiondepot.serve;

/**
 * How the server serves its models.
 *
 * @param batch largest batch per network call, as {@code depot-sample --batch} (the command line
 *     shown for a result names it when it is not the default)
 * @param maxImages most images one request may ask for
 * @param queueLimit most requests waiting per model
 * @param maxJobs jobs remembered (finished ones are dropped first)
 */
public record ServerOptions(int batch, int maxImages, int queueLimit, int maxJobs) {
  public static final ServerOptions DEFAULTS = new ServerOptions(ReproCommand.CLI_BATCH, 64, 16, 200);

  public ServerOptions {
    if (batch < 1 || maxImages < 1 || queueLimit < 1 || maxJobs < 1) {
      throw new IllegalArgumentException("server options must be positive: " + batch + ", " + maxImages + ", "
          + queueLimit + ", " + maxJobs);
    }
  }
}
