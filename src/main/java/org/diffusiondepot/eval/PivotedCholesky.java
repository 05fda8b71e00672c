package org.diffusiondepot.eval;

import java.util.stream.IntStream;

/**
 * A factor F (n x r) with A = F F^T for a symmetric positive semi-definite A, by Cholesky
 * factorisation with complete (diagonal) pivoting, stopped once every remaining pivot is below
 * n eps max(diag A), as LAPACK's dpstrf does. The pivoting makes it stable for singular and
 * ill-conditioned matrices (Higham 2002), r is the numerical rank, and it costs about n^3 / 6
 * multiply-adds, far less than an eigen-decomposition.
 */
final class PivotedCholesky {
  private PivotedCholesky() {}

  /**
   * @return F^T as r rows of length n (so rows index the factor's columns); r = 0 for a matrix
   *     that is zero to rounding
   */
  static double[][] factorTransposed(double[][] a) {
    int n = DenseMatrices.checkSquare(a, "the matrix");
    int[] perm = new int[n];
    double[] remaining = new double[n];
    double largest = 0;
    for (int i = 0; i < n; i++) {
      perm[i] = i;
      remaining[i] = a[i][i];
      largest = Math.max(largest, remaining[i]);
    }
    double tolerance = n * Math.ulp(1.0) * largest;
    // Row i of l holds row i (in pivoted order) of the lower-triangular factor, columns 0..k.
    double[][] l = new double[n][];
    for (int i = 0; i < n; i++) {
      l[i] = new double[n];
    }
    int rank = 0;
    for (int k = 0; k < n; k++) {
      int p = k;
      for (int j = k + 1; j < n; j++) {
        if (remaining[j] > remaining[p]) {
          p = j;
        }
      }
      if (!(remaining[p] > tolerance)) {
        break;
      }
      swap(perm, remaining, l, k, p);
      double pivot = Math.sqrt(remaining[k]);
      double[] lk = l[k];
      lk[k] = pivot;
      int col = k;
      double[] rowK = a[perm[k]];
      // Left-looking: column k below the pivot from the rows of l computed so far.
      IntStream range = IntStream.range(k + 1, n);
      (n - k > 256 ? range.parallel() : range).forEach(i -> {
        double[] li = l[i];
        li[col] = (rowK[perm[i]] - DenseMatrices.dot(li, 0, lk, col)) / pivot;
        remaining[i] -= li[col] * li[col];
      });
      rank++;
    }
    double[][] ft = new double[rank][n];
    for (int i = 0; i < n; i++) {
      for (int t = 0; t < Math.min(rank, i + 1); t++) {
        ft[t][perm[i]] = l[i][t];
      }
    }
    return ft;
  }

  private static void swap(int[] perm, double[] remaining, double[][] l, int i, int j) {
    int p = perm[i];
    perm[i] = perm[j];
    perm[j] = p;
    double r = remaining[i];
    remaining[i] = remaining[j];
    remaining[j] = r;
    double[] row = l[i];
    l[i] = l[j];
    l[j] = row;
  }
}
