package org.diffusiondepot.eval;

/**
 * Mean and covariance of a set of feature vectors (e.g. Inception pool_3 activations), the
 * Gaussian summary FID compares. Covariance uses n - 1 (numpy's {@code np.cov}), as TTUR's fid.py.
 * Keep one for a reference set and compare many sample sets against it.
 */
public record FeatureStatistics(double[] mean, double[][] covariance, int count) {
  public FeatureStatistics {
    int d = mean.length;
    if (DenseMatrices.checkSquare(covariance, "covariance") != d) {
      throw new IllegalArgumentException("mean has " + d + " entries but covariance is " + covariance.length + "x"
          + covariance.length);
    }
  }

  /** From n >= 2 feature vectors of equal length, in double precision. */
  public static FeatureStatistics of(double[][] features) {
    int n = features.length;
    if (n < 2) {
      throw new IllegalArgumentException("need at least 2 feature vectors for a covariance, got " + n);
    }
    int d = features[0].length;
    double[] mean = new double[d];
    for (double[] f : features) {
      if (f.length != d) {
        throw new IllegalArgumentException("feature vectors differ in length: " + d + " and " + f.length);
      }
      for (int j = 0; j < d; j++) {
        mean[j] += f[j];
      }
    }
    for (int j = 0; j < d; j++) {
      mean[j] /= n;
    }
    // Centre first: E[x x^T] - mu mu^T loses digits when the mean is large against the spread.
    double[][] centredT = new double[d][n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < d; j++) {
        centredT[j][i] = features[i][j] - mean[j];
      }
    }
    double[][] covariance = DenseMatrices.multiplyTransposed(centredT, centredT);
    for (double[] row : covariance) {
      for (int j = 0; j < d; j++) {
        row[j] /= n - 1;
      }
    }
    DenseMatrices.symmetrize(covariance);
    return new FeatureStatistics(mean, covariance, n);
  }

  public int dimension() {
    return mean.length;
  }
}
