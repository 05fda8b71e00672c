package org.diffusiondepot.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** KID's estimator: the formula on a tiny case, unbiasedness, and sensitivity to a shift. */
class KernelInceptionDistanceTest {
  private static double[][] gaussian(int n, int d, double shift, long seed) {
    Random r = new Random(seed);
    double[][] f = new double[n][d];
    for (double[] row : f) {
      for (int j = 0; j < d; j++) {
        row[j] = r.nextGaussian() + shift;
      }
    }
    return f;
  }

  @Test
  void unbiasedMmdFollowsItsDefinition() {
    // d = 1, k(x, y) = (x y + 1)^3; X = {0, 1}, Y = {1, 2}.
    double[][] x = {{0}, {1}};
    double[][] y = {{1}, {2}};
    double[][] kxx = DenseMatrices.multiplyTransposed(x, x);
    double[][] kyy = DenseMatrices.multiplyTransposed(y, y);
    double[][] kxy = DenseMatrices.multiplyTransposed(x, y);
    KernelInceptionDistance.cubicKernel(kxx, 1);
    KernelInceptionDistance.cubicKernel(kyy, 1);
    KernelInceptionDistance.cubicKernel(kxy, 1);
    // Off-diagonal pairs: k(0,1) = 1 twice, k(1,2) = 27 twice, over m (m - 1) = 2.
    // Cross pairs: k(0,1) = 1, k(0,2) = 1, k(1,1) = 8, k(1,2) = 27: sum 37 over m^2 = 4.
    double expected = 2.0 / 2 + 54.0 / 2 - 2 * 37.0 / 4;
    assertEquals(expected, KernelInceptionDistance.unbiasedMmd2(kxx, kyy, kxy), 1e-12);
    KernelInceptionDistance.Estimate e = KernelInceptionDistance.between(x, y, 3, 2, 0);
    assertEquals(expected, e.mean(), 1e-12);
    assertEquals(0, e.std(), 1e-12);
  }

  @Test
  void sameDistributionAveragesToZero() {
    int subsets = 100;
    KernelInceptionDistance.Estimate e = KernelInceptionDistance.between(gaussian(1000, 16, 0, 1),
        gaussian(1000, 16, 0, 2), subsets, 200, 3);
    assertTrue(e.std() > 0);
    assertTrue(Math.abs(e.mean()) < 3 * e.std() / Math.sqrt(subsets), "mean " + e.mean() + ", std " + e.std());
  }

  @Test
  void shiftedDistributionIsClearlyPositive() {
    int subsets = 100;
    KernelInceptionDistance.Estimate e = KernelInceptionDistance.between(gaussian(1000, 16, 0, 1),
        gaussian(1000, 16, 0.3, 2), subsets, 200, 3);
    assertTrue(e.mean() > 10 * e.std() / Math.sqrt(subsets), "mean " + e.mean() + ", std " + e.std());
  }

  @Test
  void precomputedAndPerSubsetKernelsAgree() {
    double[][] x = gaussian(150, 8, 0, 4);
    double[][] y = gaussian(120, 8, 0.2, 5);
    assertArrayEquals(KernelInceptionDistance.subsetEstimates(x, y, 5, 60, 7, true),
        KernelInceptionDistance.subsetEstimates(x, y, 5, 60, 7, false), 1e-12);
  }

  @Test
  void defaultsUseTheWholeSmallerSetWhenBelowAThousand() {
    KernelInceptionDistance.Estimate e = KernelInceptionDistance.between(gaussian(50, 4, 0, 6), gaussian(40, 4, 0, 7));
    assertEquals(100, e.subsets());
    assertEquals(40, e.subsetSize());
  }
}
