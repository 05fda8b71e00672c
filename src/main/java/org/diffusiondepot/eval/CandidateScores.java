package org.diffusiondepot.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Mean PSNR and SSIM against the true images of several candidates for the same images (the model
 * and its baselines), optionally inside a mask, and the sliced Wasserstein distance of each
 * candidate set to the true images (Karras et al.'s settings, {@link SlicedWasserstein#standard};
 * inside the masks, patches centred in them, when masks are given): PSNR and SSIM reward the mean
 * of what fits, SWD rewards the sharpness and statistics of real images. SSIM is NaN for images
 * smaller than its window, SWD for images smaller than its patches: printed as such and left out
 * of the JSON.
 */
final class CandidateScores {
  private final List<String> names;
  private final int size;
  private final int channels;
  private final double[] psnr;
  private final double[] ssim;
  private final List<float[]> truths = new ArrayList<>();
  private final List<float[]> masks = new ArrayList<>();
  private final List<List<float[]>> images = new ArrayList<>();
  private double[] swd;
  private int count;

  CandidateScores(List<String> names, int size, int channels) {
    this.names = List.copyOf(names);
    this.size = size;
    this.channels = channels;
    this.psnr = new double[names.size()];
    this.ssim = new double[names.size()];
    for (int m = 0; m < names.size(); m++) {
      images.add(new ArrayList<>());
    }
  }

  /** One image: {@code candidates} in the order of the names, {@code mask} null for the whole image. */
  void add(float[] truth, float[] mask, float[]... candidates) {
    if (candidates.length != names.size()) {
      throw new IllegalArgumentException(candidates.length + " candidates for " + names);
    }
    if (count > 0 && (mask == null) != masks.isEmpty()) {
      throw new IllegalArgumentException("every image needs a mask, or none does");
    }
    for (int m = 0; m < candidates.length; m++) {
      psnr[m] += ImageMetrics.psnr(candidates[m], truth, mask, size, channels);
      ssim[m] += size < ImageMetrics.SSIM_WINDOW ? Double.NaN
          : ImageMetrics.ssim(candidates[m], truth, mask, size, channels);
      images.get(m).add(candidates[m].clone());
    }
    truths.add(truth.clone());
    if (mask != null) {
      masks.add(mask.clone());
    }
    swd = null;
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

  /**
   * SWD x 1e3 between the true images and candidate {@code m}'s (inside the masks when given); NaN
   * for images smaller than its patches, like SSIM below its window.
   */
  double swd(int m) {
    if (swd == null) {
      swd = new double[names.size()];
      if (size < SlicedWasserstein.DEFAULT_PATCH_SIZE) {
        Arrays.fill(swd, Double.NaN);
        return swd[m];
      }
      SlicedWasserstein metric = SlicedWasserstein.standard();
      float[] real = concat(truths);
      for (int k = 0; k < names.size(); k++) {
        float[] set = concat(images.get(k));
        swd[k] = masks.isEmpty() ? metric.distance(real, count, set, count, size, channels)
            : metric.computeInside(real, set, concat(masks), count, size, channels).average();
      }
    }
    return swd[m];
  }

  /**
   * {@code PREFIX_psnr_NAME}, {@code PREFIX_ssim_NAME} and {@code PREFIX_swd_NAME} per candidate
   * (SWD left out when NaN: images smaller than its patches, or masks without any patch centre),
   * then {@code PREFIX_samples}.
   */
  void put(MetricsReport report, String prefix) {
    for (int m = 0; m < names.size(); m++) {
      report.put(prefix + "_psnr_" + names.get(m), psnr(m));
      if (size >= ImageMetrics.SSIM_WINDOW) {
        report.put(prefix + "_ssim_" + names.get(m), ssim(m));
      }
      if (Double.isFinite(swd(m))) {
        report.put(prefix + "_swd_" + names.get(m), swd(m));
      }
    }
    report.count(prefix + "_samples", count);
  }

  private static float[] concat(List<float[]> parts) {
    int per = parts.get(0).length;
    float[] out = new float[parts.size() * per];
    for (int i = 0; i < parts.size(); i++) {
      System.arraycopy(parts.get(i), 0, out, i * per, per);
    }
    return out;
  }
}
