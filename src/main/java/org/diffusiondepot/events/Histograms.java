package org.diffusiondepot.events;

import org.tensorflow.proto.HistogramProto;

/**
 * Builds a {@link HistogramProto} the way TensorFlow's histogram summary op does
 * (tensorflow/core/lib/histogram): fixed exponential buckets +-1e-12 * 1.1^k up to 1e20, plus
 * +-DBL_MAX and 0; runs of empty buckets are collapsed into one, which TensorBoard expects.
 */
final class Histograms {
  private static final double[] LIMITS = defaultLimits();

  private Histograms() {}

  /** Bucket upper limits (exclusive), ascending: -DBL_MAX, ..., -1e-12, 0, 1e-12, ..., DBL_MAX. */
  static double[] defaultLimits() {
    int n = 0;
    for (double v = 1e-12; v < 1e20; v *= 1.1) {
      n++;
    }
    double[] limits = new double[2 * n + 3];
    int mid = n + 1;
    limits[mid] = 0.0;
    double v = 1e-12;
    for (int i = 0; i < n; i++, v *= 1.1) {
      limits[mid + 1 + i] = v;
      limits[mid - 1 - i] = -v;
    }
    limits[limits.length - 1] = Double.MAX_VALUE;
    limits[0] = -Double.MAX_VALUE;
    return limits;
  }

  /**
   * The histogram of the finite entries of {@code values}. NaN and infinities are left out (and
   * out of num), so one bad weight does not break the logging of the rest.
   */
  static HistogramProto of(float[] values) {
    double[] counts = new double[LIMITS.length];
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    double num = 0;
    double sum = 0;
    double sumSquares = 0;
    for (float f : values) {
      if (!Float.isFinite(f)) {
        continue;
      }
      double v = f;
      counts[upperBound(v)] += 1;
      min = Math.min(min, v);
      max = Math.max(max, v);
      num += 1;
      sum += v;
      sumSquares += v * v;
    }
    HistogramProto.Builder proto = HistogramProto.newBuilder()
        .setMin(num > 0 ? min : 0.0)
        .setMax(num > 0 ? max : 0.0)
        .setNum(num)
        .setSum(sum)
        .setSumSquares(sumSquares);
    for (int i = 0; i < counts.length; ) {
      double limit = LIMITS[i];
      double count = counts[i];
      i++;
      if (count <= 0) {
        while (i < counts.length && counts[i] <= 0) {
          limit = LIMITS[i];
          i++;
        }
      }
      proto.addBucketLimit(limit).addBucket(count);
    }
    return proto.build();
  }

  /** Index of the first limit greater than {@code v}: the bucket [limit[i-1], limit[i]) holding v. */
  private static int upperBound(double v) {
    int lo = 0;
    int hi = LIMITS.length - 1;  // v < DBL_MAX for every finite float
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (LIMITS[mid] > v) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }
}
