package org.diffusiondepot.eval;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.stream.IntStream;
import org.diffusiondepot.data.Batch;
import org.diffusiondepot.data.BatchLoader;
import org.diffusiondepot.data.DataException;
import org.diffusiondepot.data.ImageFolderDataset;

/**
 * Distribution metrics between two image folders (for example samples written with
 * {@code depot-sample --out-dir} and a folder of real images): SWD always, FID and KID when the
 * Inception graph is given. Both folders are resized and centre-cropped to one side first.
 */
public final class FolderComparison {
  private FolderComparison() {}

  /**
   * @param limit at most this many images from each folder, taken in the folder's sorted order
   * @param inception the Inception graph for FID/KID, or null to skip them
   */
  public static MetricsReport run(Path images, Path reference, int size, int limit, Path inception, Path jsonOut,
      PrintStream out) throws IOException {
    Batch a = load(ImageFolderDataset.open(images, size, 3), limit);
    ImageFolderDataset referenceFolder = ImageFolderDataset.open(reference, size, 3);
    Batch b = load(referenceFolder, limit);
    if (inception != null && (a.size() < 2 || b.size() < 2)) {
      // FID needs a covariance and KID pairs of images: with one image they are undefined
      throw new DataException("FID and KID need at least 2 images from each folder, got " + a.size() + " from "
          + images + " and " + b.size() + " from " + reference);
    }
    MetricsReport report = new MetricsReport().text("images", images.toString()).text("reference", reference.toString())
        .count("image_size", size);
    double swd = SlicedWasserstein.standard().distance(a.images(), a.size(), b.images(), b.size(), size, 3);
    report.put("swd", swd).count("swd_samples", a.size()).count("reference_samples", b.size());
    out.printf("SWD (x1e3, %d images vs %d reference images, %dpx): %.2f%n", a.size(), b.size(), size, swd);
    if (inception == null) {
      out.println(InceptionFeatures.skippedNote());
    } else {
      try (InceptionFeatures network = InceptionFeatures.load(inception)) {
        double[][] fa = network.features(a.images(), a.size(), size, 3);
        double[][] fb = ReferenceFeatures.of(referenceFolder, IntStream.range(0, b.size()).toArray(), inception,
            () -> network.features(b.images(), b.size(), size, 3), out);
        double fid = FrechetDistance.between(fa, fb);
        var kid = KernelInceptionDistance.between(fa, fb);
        report.put("fid", fid).count("fid_samples", a.size()).put("kid", kid.mean()).put("kid_std", kid.std());
        out.printf("FID (%d images vs %d reference images): %.2f; KID: %.4f +- %.4f%n", a.size(), b.size(), fid,
            kid.mean(), kid.std());
        out.println(DistributionMetrics.sampleCountNote(a.size()));
      }
    }
    Path json = jsonOut != null ? jsonOut : Path.of("metrics.json");
    report.write(json);
    out.println("metrics written to " + json);
    return report;
  }

  private static Batch load(ImageFolderDataset dataset, int limit) {
    int n = Math.min(limit, dataset.size());
    return BatchLoader.load(dataset, IntStream.range(0, n).toArray(), 0, n);
  }
}
