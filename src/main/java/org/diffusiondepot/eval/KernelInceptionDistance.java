package org.diffusiondepot.eval;

import java.util.Random;

/**
 * Kernel Inception Distance (Binkowski, Sutherland, Arbel and Gretton 2018): the unbiased estimate
 * of the squared maximum mean discrepancy between two feature sets under the cubic polynomial
 * kernel k(x, y) = (x.y / d + 1)^3, averaged over random subsets, as their code and
 * torch-fidelity do. For subsets X, Y of m vectors each,
 * <pre>
 *   MMD^2 = sum_{i != j} k(x_i, x_j) / (m (m - 1)) + sum_{i != j} k(y_i, y_j) / (m (m - 1))
 *           - 2 sum_{i, j} k(x_i, y_j) / m^2
 * </pre>
 * whose expectation is exactly 0 when both sets come from one distribution (so single estimates
 * can be negative). Each subset draws m distinct vectors from each set; the reported std is the
 * population standard deviation of the subset estimates (numpy's {@code np.std}).
 *
 * <p>Kernel values are computed once for all pairs when that is no more work than computing them
 * per subset and fits in memory, else per subset.
 */
public final class KernelInceptionDistance {
  public static final int DEFAULT_SUBSETS = 100;
  public static final int DEFAULT_SUBSET_SIZE = 1000;
  public static final long DEFAULT_SEED = 0;

  /** Mean and standard deviation of the per-subset MMD^2 estimates. */
  public record Estimate(double mean, double std, int subsets, int subsetSize) {}

  private KernelInceptionDistance() {}

  /** 100 subsets of min(1000, smaller set size) vectors, seed 0. */
  public static Estimate between(double[][] features1, double[][] features2) {
    int m = Math.min(DEFAULT_SUBSET_SIZE, Math.min(features1.length, features2.length));
    return between(features1, features2, DEFAULT_SUBSETS, m, DEFAULT_SEED);
  }

  public static Estimate between(double[][] x, double[][] y, int subsets, int subsetSize, long seed) {
    double[] estimates = subsetEstimates(x, y, subsets, subsetSize, seed, null);
    double mean = 0;
    for (double e : estimates) {
      mean += e;
    }
    mean /= subsets;
    double variance = 0;
    for (double e : estimates) {
      variance += (e - mean) * (e - mean);
    }
    return new Estimate(mean, Math.sqrt(variance / subsets), subsets, subsetSize);
  }

  /**
   * One unbiased MMD^2 per subset pair.
   *
   * @param precompute whether to compute all kernel values first; null chooses by cost and memory
   */
  static double[] subsetEstimates(double[][] x, double[][] y, int subsets, int subsetSize, long seed,
      Boolean precompute) {
    int d = checkFeatures(x, y);
    if (subsets < 1 || subsetSize < 2 || subsetSize > Math.min(x.length, y.length)) {
      throw new IllegalArgumentException("need subsets >= 1 and 2 <= subset size <= the smaller set (" + x.length
          + ", " + y.length + "), got " + subsets + " subsets of " + subsetSize);
    }
    boolean all = precompute != null ? precompute : KernelSource.worthPrecomputing(x, y, subsets, subsetSize);
    KernelSource kernels = all ? KernelSource.precomputed(x, y, d) : new KernelSource.OnDemand(x, y, d);
    Random random = new Random(seed);
    double[] estimates = new double[subsets];
    for (int s = 0; s < subsets; s++) {
      int[] ix = sampleWithoutReplacement(random, x.length, subsetSize);
      int[] iy = sampleWithoutReplacement(random, y.length, subsetSize);
      estimates[s] = unbiasedMmd2(kernels.xx(ix), kernels.yy(iy), kernels.xy(ix, iy));
    }
    return estimates;
  }

  /** The unbiased MMD^2 from the three m x m kernel matrices of one subset pair. */
  static double unbiasedMmd2(double[][] kxx, double[][] kyy, double[][] kxy) {
    int m = kxx.length;
    double sumXx = 0;
    double sumYy = 0;
    double sumXy = 0;
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < m; j++) {
        if (i != j) {
          sumXx += kxx[i][j];
          sumYy += kyy[i][j];
        }
        sumXy += kxy[i][j];
      }
    }
    return (sumXx + sumYy) / ((double) m * (m - 1)) - 2 * sumXy / ((double) m * m);
  }

  /** (x.y / d + 1)^3 applied in place to a matrix of dot products. */
  static void cubicKernel(double[][] dots, int d) {
    for (double[] row : dots) {
      for (int j = 0; j < row.length; j++) {
        double k = row[j] / d + 1;
        row[j] = k * k * k;
      }
    }
  }

  /** Partial Fisher-Yates: m distinct indices of 0..n-1, uniformly. */
  private static int[] sampleWithoutReplacement(Random random, int n, int m) {
    int[] pool = new int[n];
    for (int i = 0; i < n; i++) {
      pool[i] = i;
    }
    for (int i = 0; i < m; i++) {
      int j = i + random.nextInt(n - i);
      int t = pool[i];
      pool[i] = pool[j];
      pool[j] = t;
    }
    int[] out = new int[m];
    System.arraycopy(pool, 0, out, 0, m);
    return out;
  }

  private static int checkFeatures(double[][] x, double[][] y) {
    if (x.length == 0 || y.length == 0) {
      throw new IllegalArgumentException("both feature sets must be non-empty");
    }
    int d = x[0].length;
    for (double[][] set : new double[][][] {x, y}) {
      for (double[] f : set) {
        if (f.length != d) {
          throw new IllegalArgumentException("feature vectors differ in length: " + d + " and " + f.length);
        }
      }
    }
    return d;
  }

  /** Kernel matrices of index subsets, either looked up in precomputed ones or computed on demand. */
  private interface KernelSource {
    double[][] xx(int[] ix);

    double[][] yy(int[] iy);

    double[][] xy(int[] ix, int[] iy);

    /** When all pairs are no more than the subsets would compute, and they fit in a quarter of the heap. */
    static boolean worthPrecomputing(double[][] x, double[][] y, int subsets, int m) {
      double allPairs = (double) x.length * x.length + (double) y.length * y.length + (double) x.length * y.length;
      double subsetPairs = 3.0 * subsets * m * m;
      return allPairs <= subsetPairs && allPairs * Double.BYTES <= Runtime.getRuntime().maxMemory() / 4.0;
    }

    static KernelSource precomputed(double[][] x, double[][] y, int d) {
      return new Precomputed(kernel(x, x, d), kernel(y, y, d), kernel(x, y, d));
    }

    private static double[][] kernel(double[][] a, double[][] b, int d) {
      double[][] k = DenseMatrices.multiplyTransposed(a, b);
      cubicKernel(k, d);
      return k;
    }

    record Precomputed(double[][] kxx, double[][] kyy, double[][] kxy) implements KernelSource {
      @Override
      public double[][] xx(int[] ix) {
        return pick(kxx, ix, ix);
      }

      @Override
      public double[][] yy(int[] iy) {
        return pick(kyy, iy, iy);
      }

      @Override
      public double[][] xy(int[] ix, int[] iy) {
        return pick(kxy, ix, iy);
      }

      private static double[][] pick(double[][] k, int[] rows, int[] cols) {
        double[][] out = new double[rows.length][cols.length];
        for (int i = 0; i < rows.length; i++) {
          double[] source = k[rows[i]];
          for (int j = 0; j < cols.length; j++) {
            out[i][j] = source[cols[j]];
          }
        }
        return out;
      }
    }

    record OnDemand(double[][] x, double[][] y, int d) implements KernelSource {
      @Override
      public double[][] xx(int[] ix) {
        return kernel(rows(x, ix), rows(x, ix), d);
      }

      @Override
      public double[][] yy(int[] iy) {
        return kernel(rows(y, iy), rows(y, iy), d);
      }

      @Override
      public double[][] xy(int[] ix, int[] iy) {
        return kernel(rows(x, ix), rows(y, iy), d);
      }

      private static double[][] rows(double[][] set, int[] indices) {
        double[][] out = new double[indices.length][];
        for (int i = 0; i < indices.length; i++) {
          out[i] = set[indices[i]];
        }
        return out;
      }
    }
  }
}
