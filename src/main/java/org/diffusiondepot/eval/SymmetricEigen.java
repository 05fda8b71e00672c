package org.diffusiondepot.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Eigen-decomposition of a real symmetric matrix, A = V diag(values) V^T, in double precision:
 * Householder reduction to tridiagonal form, then the QL algorithm with implicit Wilkinson-style
 * shifts (the classic tred2 + tql2 pair of EISPACK, also in JAMA and Numerical Recipes' tqli).
 * About 10 n^3 flops with vectors and 2 n^3 without; a 2048 x 2048 covariance takes seconds, where
 * cyclic Jacobi needs many sweeps of 4 n^3 each.
 *
 * <p>Eigenvectors are kept as rows ({@code vectors[j]} belongs to {@code values[j]}), so each
 * Givens rotation of the QL sweeps updates two contiguous arrays, split across threads by column.
 */
public final class SymmetricEigen {
  private static final double EPSILON = Math.ulp(1.0);
  private static final int MAX_ITERATIONS_PER_VALUE = 60;
  private static final int COLUMN_CHUNK = 256;

  private final double[] values;
  private final double[][] vectors;

  private SymmetricEigen(double[] values, double[][] vectors) {
    this.values = values;
    this.vectors = vectors;
  }

  /** Full decomposition. The input is not modified; a slightly asymmetric one is read as (A + A^T) / 2. */
  public static SymmetricEigen decompose(double[][] symmetric) {
    return run(symmetric, true);
  }

  /** Eigenvalues only, ascending: skips the accumulation of vectors (about five times faster). */
  public static double[] eigenvalues(double[][] symmetric) {
    return run(symmetric, false).values;
  }

  /** Eigenvalues, ascending. */
  public double[] values() {
    return values.clone();
  }

  /** Unit eigenvectors as rows, in the order of {@link #values()}; shared, do not modify. */
  public double[][] vectors() {
    return vectors;
  }

  private static SymmetricEigen run(double[][] symmetric, boolean wantVectors) {
    int n = DenseMatrices.checkSquare(symmetric, "the matrix");
    double[][] a = DenseMatrices.copy(symmetric);
    DenseMatrices.symmetrize(a);
    double[] d = new double[n];
    double[] e = new double[n];
    double[][] z = tridiagonalize(a, d, e, wantVectors);
    diagonalize(d, e, z);
    return sorted(d, z);
  }

  /**
   * Householder reduction: A = Q T Q^T with T tridiagonal (diagonal d, off-diagonal e[i] between
   * i and i + 1, e[n - 1] = 0). Step k reflects row and column k below the diagonal onto one
   * element and applies the reflector H = I - beta v v^T to the trailing block as the rank-2 update
   * B - v w^T - w v^T, w = p - (beta p.v / 2) v, p = beta B v. Returns Q^T (rows = columns of Q), or
   * null when vectors are not wanted. Destroys {@code a}.
   */
  private static double[][] tridiagonalize(double[][] a, double[] d, double[] e, boolean wantVectors) {
    int n = a.length;
    List<double[]> reflectors = new ArrayList<>();
    double[] betas = new double[n];
    for (int k = 0; k < n - 2; k++) {
      int start = k + 1;
      int m = n - start;
      double[] v = Arrays.copyOfRange(a[k], start, n);
      d[k] = a[k][k];
      // H depends only on v's direction: work on v / max|v| so squares neither overflow nor underflow.
      double scale = 0;
      for (double x : v) {
        scale = Math.max(scale, Math.abs(x));
      }
      double tailNorm2 = 0;
      for (int i = 1; i < m && scale > 0; i++) {
        v[i] /= scale;
        tailNorm2 += v[i] * v[i];
      }
      if (tailNorm2 == 0) {
        // Already tridiagonal in this column: H = I.
        e[k] = a[k][start];
        reflectors.add(null);
        continue;
      }
      v[0] /= scale;
      double norm = Math.sqrt(v[0] * v[0] + tailNorm2);
      // The sign opposite to v[0] avoids cancellation in v[0] - alpha.
      double alpha = v[0] >= 0 ? -norm : norm;
      v[0] -= alpha;
      double beta = 2 / (v[0] * v[0] + tailNorm2);
      e[k] = alpha * scale;
      betas[k] = beta;
      reflectors.add(v);
      double[] p = new double[m];
      rows(m).forEach(i -> p[i] = beta * DenseMatrices.dot(a[start + i], start, v, m));
      double half = beta * DenseMatrices.dot(p, 0, v, m) / 2;
      double[] w = new double[m];
      for (int i = 0; i < m; i++) {
        w[i] = p[i] - half * v[i];
      }
      rows(m).forEach(i -> {
        double[] row = a[start + i];
        double vi = v[i];
        double wi = w[i];
        for (int j = 0; j < m; j++) {
          row[start + j] -= vi * w[j] + wi * v[j];
        }
      });
    }
    if (n >= 2) {
      d[n - 2] = a[n - 2][n - 2];
      e[n - 2] = a[n - 2][n - 1];
    }
    if (n >= 1) {
      d[n - 1] = a[n - 1][n - 1];
      e[n - 1] = 0;
    }
    return wantVectors ? accumulate(reflectors, betas, n) : null;
  }

  /**
   * Q = H_0 H_1 ... H_{n-3}, built from the last reflector back so every product only touches the
   * trailing block it changes; returned transposed (row j = column j of Q).
   */
  private static double[][] accumulate(List<double[]> reflectors, double[] betas, int n) {
    double[][] q = new double[n][n];
    for (int i = 0; i < n; i++) {
      q[i][i] = 1;
    }
    for (int k = reflectors.size() - 1; k >= 0; k--) {
      double[] v = reflectors.get(k);
      if (v == null) {
        continue;
      }
      int start = k + 1;
      int m = n - start;
      double beta = betas[k];
      int chunks = (m + COLUMN_CHUNK - 1) / COLUMN_CHUNK;
      // Q_block -= beta v (v^T Q_block), column chunks in parallel.
      IntStream.range(0, chunks).parallel().forEach(chunk -> {
        int c0 = start + chunk * COLUMN_CHUNK;
        int c1 = Math.min(n, c0 + COLUMN_CHUNK);
        double[] u = new double[c1 - c0];
        for (int i = 0; i < m; i++) {
          double vi = v[i];
          double[] row = q[start + i];
          for (int j = c0; j < c1; j++) {
            u[j - c0] += vi * row[j];
          }
        }
        for (int i = 0; i < m; i++) {
          double f = beta * v[i];
          double[] row = q[start + i];
          for (int j = c0; j < c1; j++) {
            row[j] -= f * u[j - c0];
          }
        }
      });
    }
    return DenseMatrices.transpose(q);
  }

  /**
   * Implicit QL on the tridiagonal (d, e): on return d holds the eigenvalues and, if z is not
   * null, its rows the matching eigenvectors of the original matrix. Each sweep chases a bulge
   * from row m up to row l with Givens rotations; their (c, s) pairs are recorded and applied to
   * z afterwards, column chunks in parallel, since each column of z is transformed independently.
   */
  private static void diagonalize(double[] d, double[] e, double[][] z) {
    int n = d.length;
    double[] cs = new double[n];
    double[] sn = new double[n];
    for (int l = 0; l < n; l++) {
      int iterations = 0;
      while (true) {
        int m = l;
        while (m < n - 1) {
          double dd = Math.abs(d[m]) + Math.abs(d[m + 1]);
          if (Math.abs(e[m]) <= EPSILON * dd) {
            break;
          }
          m++;
        }
        if (m == l) {
          break;
        }
        if (++iterations > MAX_ITERATIONS_PER_VALUE) {
          throw new ArithmeticException("QL iteration did not converge for eigenvalue " + l + " of " + n
              + " (does the matrix hold NaN or infinite values?)");
        }
        // Shift from the leading 2x2 block, towards its eigenvalue closer to d[l].
        double g = (d[l + 1] - d[l]) / (2 * e[l]);
        double r = Math.hypot(g, 1);
        g = d[m] - d[l] + e[l] / (g + Math.copySign(r, g));
        double s = 1;
        double c = 1;
        double p = 0;
        int i;
        boolean deflated = false;
        int lowest = m;
        for (i = m - 1; i >= l; i--) {
          double f = s * e[i];
          double b = c * e[i];
          r = Math.hypot(f, g);
          e[i + 1] = r;
          if (r == 0) {
            // Underflow: the matrix split at i; finish this sweep early.
            d[i + 1] -= p;
            e[m] = 0;
            deflated = true;
            break;
          }
          s = f / r;
          c = g / r;
          g = d[i + 1] - p;
          r = (d[i] - g) * s + 2 * c * b;
          p = s * r;
          d[i + 1] = g + p;
          g = c * r - b;
          cs[i] = c;
          sn[i] = s;
          lowest = i;
        }
        if (z != null && lowest < m) {
          rotate(z, cs, sn, lowest, m);
        }
        if (deflated) {
          continue;
        }
        d[l] -= p;
        e[l] = g;
        e[m] = 0;
      }
    }
  }

  /** Applies rotations i = m - 1 down to lowest to row pairs (i, i + 1) of z. */
  private static void rotate(double[][] z, double[] cs, double[] sn, int lowest, int m) {
    int width = z.length == 0 ? 0 : z[0].length;
    int chunks = (width + COLUMN_CHUNK - 1) / COLUMN_CHUNK;
    IntStream.range(0, chunks).parallel().forEach(chunk -> {
      int c0 = chunk * COLUMN_CHUNK;
      int c1 = Math.min(width, c0 + COLUMN_CHUNK);
      for (int i = m - 1; i >= lowest; i--) {
        double c = cs[i];
        double s = sn[i];
        double[] lo = z[i];
        double[] hi = z[i + 1];
        for (int k = c0; k < c1; k++) {
          double h = hi[k];
          double x = lo[k];
          hi[k] = s * x + c * h;
          lo[k] = c * x - s * h;
        }
      }
    });
  }

  private static SymmetricEigen sorted(double[] d, double[][] z) {
    int n = d.length;
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Arrays.sort(order, Comparator.comparingDouble(i -> d[i]));
    double[] values = new double[n];
    double[][] vectors = z == null ? null : new double[n][];
    for (int i = 0; i < n; i++) {
      values[i] = d[order[i]];
      if (z != null) {
        vectors[i] = z[order[i]];
      }
    }
    return new SymmetricEigen(values, vectors);
  }

  /** 0..m-1, in parallel when there is enough work per step to pay for the hand-off. */
  private static IntStream rows(int m) {
    IntStream range = IntStream.range(0, m);
    return m >= 128 ? range.parallel() : range;
  }
}
