package org.diffusiondepot.train;

import java.util.LinkedHashMap;
import java.util.Map;

/** Running means of named scalars over a logging interval; a tag absent in the interval has none. */
public final class IntervalMeans {
  private final Map<String, double[]> sums = new LinkedHashMap<>();
  private final Map<String, Double> last = new LinkedHashMap<>();

  public void add(String tag, double value) {
    double[] s = sums.computeIfAbsent(tag, t -> new double[2]);
    s[0] += value;
    s[1]++;
    last.put(tag, value);
  }

  /** The latest value of {@code tag}, kept across resets; NaN if it never had one. */
  public double last(String tag) {
    return last.getOrDefault(tag, Double.NaN);
  }

  /** Tag to mean, in the order the tags first appeared. */
  public Map<String, Double> means() {
    Map<String, Double> out = new LinkedHashMap<>();
    sums.forEach((tag, s) -> {
      if (s[1] > 0) {
        out.put(tag, s[0] / s[1]);
      }
    });
    return out;
  }

  public double mean(String tag) {
    double[] s = sums.get(tag);
    return s == null || s[1] == 0 ? Double.NaN : s[0] / s[1];
  }

  public void reset() {
    sums.clear();
  }
}
