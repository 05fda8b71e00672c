package org.diffusiondepot.eval;

/**
 * Fréchet distance between two Gaussians fitted to feature sets (FID when the features are
 * Inception pool_3 activations, Heusel et al. 2017):
 * <pre>
 *   d^2 = ||mu1 - mu2||^2 + Tr(S1) + Tr(S2) - 2 Tr((S1 S2)^(1/2))
 * </pre>
 * The square-root trace needs no general matrix square root: the eigenvalues of S1 S2 are those
 * of a symmetric positive semi-definite matrix built from a factor of S1 (see
 * {@link #traceSqrtProduct}), found with a symmetric eigenvalue solver. The factor covers only
 * S1's numerical range, so singular covariances (fewer samples than dimensions) need no
 * regularising epsilon. Everything is double precision; scipy's {@code sqrtm}, which TTUR's
 * fid.py uses, can return complex parts that then have to be dropped. Two 2048-d covariances
 * take some seconds.
 */
public final class FrechetDistance {
  private FrechetDistance() {}

  /** Distance between the Gaussians fitted to two sets of feature vectors (rows). */
  public static double between(double[][] features1, double[][] features2) {
    return between(FeatureStatistics.of(features1), FeatureStatistics.of(features2));
  }

  public static double between(FeatureStatistics a, FeatureStatistics b) {
    if (a.dimension() != b.dimension()) {
      throw new IllegalArgumentException("feature dimensions differ: " + a.dimension() + " and " + b.dimension());
    }
    double meanTerm = 0;
    for (int j = 0; j < a.dimension(); j++) {
      double diff = a.mean()[j] - b.mean()[j];
      meanTerm += diff * diff;
    }
    double traces = DenseMatrices.trace(a.covariance()) + DenseMatrices.trace(b.covariance());
    // Rounding can take an exact zero (identical sets) a hair below 0.
    return Math.max(0, meanTerm + traces - 2 * traceSqrtProduct(a.covariance(), b.covariance()));
  }

  /**
   * Tr((S1 S2)^(1/2)) for symmetric positive semi-definite S1, S2. With any factor S1 = F F^T
   * (here pivoted Cholesky, F of the numerical rank r of S1), S1 S2 = F (F^T S2) has the same
   * non-zero eigenvalues as the symmetric positive semi-definite M = F^T S2 F, which are also those
   * of S1^(1/2) S2 S1^(1/2); so the trace is the sum of the square roots of M's eigenvalues (taken
   * as 0 where rounding made them negative).
   */
  public static double traceSqrtProduct(double[][] s1, double[][] s2) {
    int d = DenseMatrices.checkSquare(s1, "S1");
    if (DenseMatrices.checkSquare(s2, "S2") != d) {
      throw new IllegalArgumentException("S1 is " + d + "x" + d + " but S2 is " + s2.length + "x" + s2.length);
    }
    double[][] ft = PivotedCholesky.factorTransposed(s1);
    if (ft.length == 0) {
      return 0;
    }
    double[][] m = DenseMatrices.multiplyTransposed(DenseMatrices.multiply(ft, s2), ft);
    double sum = 0;
    for (double mu : SymmetricEigen.eigenvalues(m)) {
      sum += Math.sqrt(Math.max(mu, 0));
    }
    return sum;
  }
}
