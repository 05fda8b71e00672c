package org.diffusiondepot.eval;

import java.util.List;

/**
 * Mean PSNR and SSIM against the true images of several candidates for the same images (the model
 * and its baselines), optionally inside a mask. SSIM is NaN for images smaller than its window:
 * printed as such and left out of the JSON.
 */
final class CandidateScores {
  private final List<String> names;
  private final int size;
  private final int channels;
  private final double[] psnr;
  private final double[] ssim;
  private int count;

  CandidateScores(List<String> names, int size, int channels) {
    this.names = List.copyOf(names);
    this.size = size;
    this.channels = channels;
    this.psnr = new double[names.size()];
    this.ssim = new double[names.size()];
  }

  /** One image: {@code candidates} in the order of the names, {@code mask} null for the whole image. */
  void add(float[] truth, float[] mask, float[]... candidates) {
    if (candidates.length != names.size()) {
      throw new IllegalArgumentException(candidates.length + " candidates for " + names);
    }
    for (int m = 0; m < candidates.length; m++) {
      psnr[m] += ImageMetrics.psnr(candidates[m], truth, mask, size, channels);
      ssim[m] += size < ImageMetrics.SSIM_WINDOW ? Double.NaN
          : ImageMetrics.ssim(candidates[m], truth, mask, size, channels);
    }
    count++;
  }

  List<String> names() {
    return names;
  }

  double psnr(int m) {
    return psnr[m] / count;
  }

  double ssim(int m) {
    return ssim[m] / count;
  }

  /** {@code PREFIX_psnr_NAME} and {@code PREFIX_ssim_NAME} per candidate, then {@code PREFIX_samples}. */
  void put(MetricsReport report, String prefix) {
    for (int m = 0; m < names.size(); m++) {
      report.put(prefix + "_psnr_" + names.get(m), psnr(m));
      if (size >= ImageMetrics.SSIM_WINDOW) {
        report.put(prefix + "_ssim_" + names.get(m), ssim(m));
      }
    }
    report.count(prefix + "_samples", count);
  }
}
