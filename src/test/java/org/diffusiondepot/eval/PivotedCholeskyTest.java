package org.diffusiondepot.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

class PivotedCholeskyTest {
  @Test
  void factorsASingularCovarianceAtItsRank() {
    // 7 centred-ish samples in 12 dimensions: rank 7.
    Random r = new Random(1);
    double[][] x = new double[7][12];
    for (double[] row : x) {
      for (int j = 0; j < 12; j++) {
        row[j] = r.nextGaussian() * (1 + j);
      }
    }
    double[][] a = DenseMatrices.multiply(DenseMatrices.transpose(x), x);
    double[][] ft = PivotedCholesky.factorTransposed(a);
    assertEquals(7, ft.length);
    double[][] rebuilt = DenseMatrices.multiply(DenseMatrices.transpose(ft), ft);
    for (int i = 0; i < 12; i++) {
      for (int j = 0; j < 12; j++) {
        assertEquals(a[i][j], rebuilt[i][j], 1e-10 * (1 + Math.abs(a[i][j])), i + "," + j);
      }
    }
  }

  @Test
  void zeroMatrixHasAnEmptyFactor() {
    assertEquals(0, PivotedCholesky.factorTransposed(new double[4][4]).length);
  }
}
