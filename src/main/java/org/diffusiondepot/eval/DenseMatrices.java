package org.diffusiondepot.eval;

import java.util.stream.IntStream;

/**
 * The few dense double-precision matrix operations the feature metrics need, on row-major
 * {@code double[rows][cols]}. Inner loops run along rows (axpy form), which the JIT vectorizes;
 * work is split across the common fork-join pool.
 */
final class DenseMatrices {
  /** Rows of the left factor per parallel task, and rows of the right factor kept hot in cache. */
  private static final int ROW_BLOCK = 16;
  private static final int INNER_BLOCK = 64;

  private DenseMatrices() {}

  /** a (n x k) times b (k x m). */
  static double[][] multiply(double[][] a, double[][] b) {
    int n = a.length;
    int inner = b.length;
    int m = inner == 0 ? 0 : b[0].length;
    if (n > 0 && a[0].length != inner) {
      throw new IllegalArgumentException("cannot multiply " + n + "x" + a[0].length + " by " + inner + "x" + m);
    }
    double[][] c = new double[n][m];
    int blocks = (n + ROW_BLOCK - 1) / ROW_BLOCK;
    IntStream.range(0, blocks).parallel().forEach(block -> {
      int r0 = block * ROW_BLOCK;
      int r1 = Math.min(n, r0 + ROW_BLOCK);
      for (int k0 = 0; k0 < inner; k0 += INNER_BLOCK) {
        int k1 = Math.min(inner, k0 + INNER_BLOCK);
        for (int i = r0; i < r1; i++) {
          double[] ci = c[i];
          double[] ai = a[i];
          for (int k = k0; k < k1; k++) {
            double aik = ai[k];
            if (aik == 0) {
              continue;
            }
            double[] bk = b[k];
            for (int j = 0; j < m; j++) {
              ci[j] += aik * bk[j];
            }
          }
        }
      }
    });
    return c;
  }

  /**
   * Dot product of {@code length} values of row from {@code offset} with v[0..length), four
   * partial sums for instruction-level parallelism (the JIT keeps a lone sum sequential).
   */
  static double dot(double[] row, int offset, double[] v, int length) {
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    int j = 0;
    for (; j + 3 < length; j += 4) {
      s0 += row[offset + j] * v[j];
      s1 += row[offset + j + 1] * v[j + 1];
      s2 += row[offset + j + 2] * v[j + 2];
      s3 += row[offset + j + 3] * v[j + 3];
    }
    for (; j < length; j++) {
      s0 += row[offset + j] * v[j];
    }
    return (s0 + s1) + (s2 + s3);
  }

  static double[][] transpose(double[][] a) {
    int n = a.length;
    int m = n == 0 ? 0 : a[0].length;
    double[][] t = new double[m][n];
    for (int i = 0; i < n; i++) {
      double[] ai = a[i];
      for (int j = 0; j < m; j++) {
        t[j][i] = ai[j];
      }
    }
    return t;
  }

  /** a (n x k) times b (m x k) transposed: every dot product of a row of a with a row of b. */
  static double[][] multiplyTransposed(double[][] a, double[][] b) {
    return multiply(a, transpose(b));
  }

  /** (a + a^T) / 2 in place: removes the rounding asymmetry of products that are symmetric in exact arithmetic. */
  static void symmetrize(double[][] a) {
    for (int i = 0; i < a.length; i++) {
      for (int j = i + 1; j < a.length; j++) {
        double mean = (a[i][j] + a[j][i]) / 2;
        a[i][j] = mean;
        a[j][i] = mean;
      }
    }
  }

  static double trace(double[][] a) {
    double t = 0;
    for (int i = 0; i < a.length; i++) {
      t += a[i][i];
    }
    return t;
  }

  static double[][] copy(double[][] a) {
    double[][] c = new double[a.length][];
    for (int i = 0; i < a.length; i++) {
      c[i] = a[i].clone();
    }
    return c;
  }

  /** Rows and columns of a square matrix, or an exception naming what. */
  static int checkSquare(double[][] a, String what) {
    for (double[] row : a) {
      if (row.length != a.length) {
        throw new IllegalArgumentException(what + " must be square, found a row of " + row.length + " in a "
            + a.length + "-row matrix");
      }
    }
    return a.length;
  }
}
