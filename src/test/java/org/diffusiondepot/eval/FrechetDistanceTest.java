package org.diffusiondepot.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The matrix square-root trace against closed forms, and FID's basic behaviour on random features. */
class FrechetDistanceTest {
  private static double[][] randomFeatures(int n, int d, long seed) {
    Random r = new Random(seed);
    double[][] f = new double[n][d];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < d; j++) {
        // Correlated, unequal scales and a non-zero mean, like real activations.
        f[i][j] = 0.5 + (1 + j % 4) * r.nextGaussian() + (j > 0 ? 0.5 * f[i][j - 1] : 0);
      }
    }
    return f;
  }

  @Test
  void traceSqrtOfDiagonalMatricesIsTheSumOfRootProducts() {
    double[] a = {4, 0, 2.5, 9, 1e-3};
    double[] b = {1, 7, 0.4, 4, 10};
    double expected = 0;
    double[][] s1 = new double[5][5];
    double[][] s2 = new double[5][5];
    for (int i = 0; i < 5; i++) {
      s1[i][i] = a[i];
      s2[i][i] = b[i];
      expected += Math.sqrt(a[i] * b[i]);
    }
    assertEquals(expected, FrechetDistance.traceSqrtProduct(s1, s2), 1e-12);
  }

  @Test
  void traceSqrtOfCommutingMatricesIsTheSumOfRootProducts() {
    // S1 = Q diag(a) Q^T, S2 = Q diag(b) Q^T share eigenvectors: Tr((S1 S2)^1/2) = sum sqrt(a_i b_i).
    int n = 30;
    double[][] q = SymmetricEigen.decompose(SymmetricEigenTest.randomSymmetric(n, 3)).vectors();
    Random r = new Random(4);
    double[][] s1 = new double[n][n];
    double[][] s2 = new double[n][n];
    double expected = 0;
    for (int k = 0; k < n; k++) {
      double a = k < 5 ? 0 : 10 * r.nextDouble();
      double b = 10 * r.nextDouble();
      expected += Math.sqrt(a * b);
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          s1[i][j] += q[k][i] * a * q[k][j];
          s2[i][j] += q[k][i] * b * q[k][j];
        }
      }
    }
    assertEquals(expected, FrechetDistance.traceSqrtProduct(s1, s2), 1e-10);
  }

  @Test
  void traceSqrtOfNonCommuting2x2MatchesTheClosedForm() {
    // For a 2x2 matrix M with non-negative eigenvalues l1, l2:
    // (sqrt l1 + sqrt l2)^2 = tr M + 2 sqrt(det M), and det(S1 S2) = det S1 det S2.
    double[][] s1 = {{2, 0.7}, {0.7, 1}};
    double[][] s2 = {{0.5, -0.2}, {-0.2, 3}};
    double trace = s1[0][0] * s2[0][0] + s1[0][1] * s2[1][0] + s1[1][0] * s2[0][1] + s1[1][1] * s2[1][1];
    double det = (2 * 1 - 0.7 * 0.7) * (0.5 * 3 - 0.2 * 0.2);
    assertEquals(Math.sqrt(trace + 2 * Math.sqrt(det)), FrechetDistance.traceSqrtProduct(s1, s2), 1e-12);
  }

  @Test
  void distanceOfASetToItselfVanishes() {
    double[][] f = randomFeatures(500, 64, 5);
    FeatureStatistics s = FeatureStatistics.of(f);
    double scale = DenseMatrices.trace(s.covariance());
    assertTrue(FrechetDistance.between(f, f) < 1e-6 * scale, "FID(X, X) = " + FrechetDistance.between(f, f));
  }

  @Test
  void aPureShiftCostsItsSquaredLength() {
    // Same covariance: only ||mu1 - mu2||^2 remains.
    double[][] f = randomFeatures(300, 16, 6);
    double[][] g = new double[f.length][];
    double expected = 0;
    for (int j = 0; j < 16; j++) {
      expected += (0.1 * j) * (0.1 * j);
    }
    for (int i = 0; i < f.length; i++) {
      g[i] = f[i].clone();
      for (int j = 0; j < 16; j++) {
        g[i][j] += 0.1 * j;
      }
    }
    assertEquals(expected, FrechetDistance.between(f, g), 1e-8 * expected);
  }

  @Test
  void distanceGrowsWithAddedNoise() {
    double[][] f = randomFeatures(500, 64, 7);
    Random r = new Random(8);
    double[][] noise = new double[f.length][f[0].length];
    for (double[] row : noise) {
      for (int j = 0; j < row.length; j++) {
        row[j] = r.nextGaussian();
      }
    }
    double previous = 0;
    for (double sigma : new double[] {0.3, 1, 3}) {
      double[][] g = new double[f.length][f[0].length];
      for (int i = 0; i < f.length; i++) {
        for (int j = 0; j < f[0].length; j++) {
          g[i][j] = f[i][j] + sigma * noise[i][j];
        }
      }
      double fid = FrechetDistance.between(f, g);
      assertTrue(fid > previous, "FID at noise " + sigma + " = " + fid + ", not above " + previous);
      previous = fid;
    }
  }

  @Test
  void singularCovariancesNeedNoRegularisation() {
    // 20 samples in 64 dimensions: rank-19 covariances, still a finite, symmetric distance.
    double[][] f = randomFeatures(20, 64, 9);
    double[][] g = randomFeatures(20, 64, 10);
    double fg = FrechetDistance.between(f, g);
    assertTrue(Double.isFinite(fg) && fg > 0);
    assertEquals(fg, FrechetDistance.between(g, f), 1e-8 * fg);
  }
}
