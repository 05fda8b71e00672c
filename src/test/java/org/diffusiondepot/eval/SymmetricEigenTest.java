package org.diffusiondepot.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Householder + implicit QL against closed forms and the defining identities. */
class SymmetricEigenTest {
  static double[][] randomSymmetric(int n, long seed) {
    Random r = new Random(seed);
    double[][] a = new double[n][n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j <= i; j++) {
        a[i][j] = r.nextGaussian();
        a[j][i] = a[i][j];
      }
    }
    return a;
  }

  @Test
  void secondDifferenceMatrixHasItsKnownSpectrum() {
    // tridiag(-1, 2, -1) of order n: lambda_k = 2 - 2 cos(k pi / (n + 1)), k = 1..n.
    int n = 40;
    double[][] a = new double[n][n];
    for (int i = 0; i < n; i++) {
      a[i][i] = 2;
      if (i + 1 < n) {
        a[i][i + 1] = -1;
        a[i + 1][i] = -1;
      }
    }
    double[] expected = new double[n];
    for (int k = 1; k <= n; k++) {
      expected[k - 1] = 2 - 2 * Math.cos(k * Math.PI / (n + 1));
    }
    assertArrayEquals(expected, SymmetricEigen.eigenvalues(a), 1e-12);
  }

  @Test
  void vectorsAreOrthonormalAndReconstructTheMatrix() {
    int n = 60;
    double[][] a = randomSymmetric(n, 1);
    SymmetricEigen eigen = SymmetricEigen.decompose(a);
    double[] values = eigen.values();
    double[][] v = eigen.vectors();
    for (int i = 1; i < n; i++) {
      assertTrue(values[i - 1] <= values[i], "ascending");
    }
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        double dot = 0;
        double rebuilt = 0;
        for (int k = 0; k < n; k++) {
          dot += v[i][k] * v[j][k];
          rebuilt += v[k][i] * values[k] * v[k][j];
        }
        assertEquals(i == j ? 1 : 0, dot, 1e-12, "V V^T at " + i + "," + j);
        assertEquals(a[i][j], rebuilt, 1e-11, "V diag V^T at " + i + "," + j);
      }
    }
    assertArrayEquals(values, SymmetricEigen.eigenvalues(a), 1e-11);
  }

  @Test
  void handlesDegenerateMatrices() {
    assertArrayEquals(new double[] {-3}, SymmetricEigen.eigenvalues(new double[][] {{-3}}), 0);
    assertArrayEquals(new double[] {0, 0, 0}, SymmetricEigen.eigenvalues(new double[3][3]), 0);
    double[][] identity = {{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}};
    assertArrayEquals(new double[] {1, 1, 1, 1}, SymmetricEigen.decompose(identity).values(), 1e-15);
    // [[2, 1], [1, 2]]: eigenvalues 1 and 3.
    assertArrayEquals(new double[] {1, 3}, SymmetricEigen.eigenvalues(new double[][] {{2, 1}, {1, 2}}), 1e-14);
  }
}
