package org.diffusiondepot.sampler;

import java.util.Arrays;

/**
 * Dynamic thresholding of the predicted x_0 (Saharia et al. 2022, "Photorealistic Text-to-Image
 * Diffusion Models with Deep Language Understanding", Section 2.3): per example,
 * <pre>
 *   s = max(1, percentile_p(|x0_hat|)),   x0_hat &lt;- clip(x0_hat, -s, s) / s,   p = 99.5%
 * </pre>
 * and eps is re-derived from the thresholded x0_hat, eps = (x_t - sqrt(abar) x0_hat) / sqrt(1 - abar),
 * so every sampler sees one consistent denoiser. When at most 0.5% of an example's values leave
 * [-1, 1], s = 1 and this is the static clip to [-1, 1]; it differs where x0_hat is far out of
 * range, at large t, where x0_hat = (x_t - sqrt(1 - abar) eps) / sqrt(abar) multiplies the
 * network's eps error by up to sqrt((1 - abar) / abar) ~ 157. A static clip turns that amplified
 * error into saturated +-1 values, which a deterministic chain bakes into the image; dividing by s
 * keeps their relative size. p and the percentile's linear interpolation follow the DPM-Solver
 * reference ({@code dynamic_thresholding_fn}, {@code torch.quantile}).
 */
final class DynamicThreshold {
  static final double PERCENTILE = 0.995;

  private DynamicThreshold() {}

  /**
   * Thresholds the x0_hat implied by (x, eps) at abar, per example, rewriting eps in place.
   *
   * @param x the state, {@code batch} examples of equal size, row-major
   */
  static void apply(double abar, float[] x, float[] eps, int batch) {
    double sqrtAbar = Math.sqrt(abar);
    double sqrtOneMinus = Math.sqrt(1.0 - abar);
    int per = x.length / batch;
    double[] x0 = new double[per];
    double[] magnitudes = new double[per];
    for (int b = 0; b < batch; b++) {
      int from = b * per;
      for (int i = 0; i < per; i++) {
        x0[i] = (x[from + i] - sqrtOneMinus * eps[from + i]) / sqrtAbar;
        magnitudes[i] = Math.abs(x0[i]);
      }
      double s = Math.max(1.0, percentile(magnitudes, PERCENTILE));
      if (s == 1.0 && magnitudes[per - 1] <= 1.0) {
        continue;  // sorted by percentile(): nothing leaves [-1, 1], eps stays the network's
      }
      for (int i = 0; i < per; i++) {
        double thresholded = Math.max(-s, Math.min(s, x0[i])) / s;
        eps[from + i] = (float) ((x[from + i] - sqrtAbar * thresholded) / sqrtOneMinus);
      }
    }
  }

  /** The q-quantile with linear interpolation between order statistics (torch.quantile's default); sorts. */
  static double percentile(double[] values, double q) {
    Arrays.sort(values);
    double position = q * (values.length - 1);
    int below = (int) Math.floor(position);
    int above = Math.min(below + 1, values.length - 1);
    return values[below] + (position - below) * (values[above] - values[below]);
  }
}
