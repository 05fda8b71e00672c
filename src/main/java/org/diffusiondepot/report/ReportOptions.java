package org.diffusiondepot.report;

/**
 * What a report may spend on sampling, and where its example images come from.
 *
 * @param samples images per sample grid (and the upper bound of every other sampled figure)
 * @param steps DDIM steps of the sample grids (eta 1, as the training previews)
 * @param seed seed of every random choice: noise, masks, sampling chains
 * @param data the run's data, a folder or "builtin"; null to infer it from the config (runs do
 *     not record their --data folder)
 */
public record ReportOptions(int samples, int steps, long seed, String data) {
  public ReportOptions {
    if (samples < 1) {
      throw new IllegalArgumentException("samples must be at least 1, got " + samples);
    }
    if (steps < 1) {
      throw new IllegalArgumentException("steps must be at least 1, got " + steps);
    }
  }

  /** 16 samples, DDIM 50 steps, seed 0, data inferred: a couple of minutes on a CPU for the demos. */
  public static ReportOptions defaults() {
    return new ReportOptions(16, 50, 0L, null);
  }

  public ReportOptions withData(String data) {
    return new ReportOptions(samples, steps, seed, data);
  }
}
