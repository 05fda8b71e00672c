package org.diffusiondepot.eval;

import java.io.IOException;
import org.diffusiondepot.data.Batch;
import org.diffusiondepot.sampler.Samples;

/**
 * How close samples are to the held-out images as distributions: sliced Wasserstein distance
 * always, FID and KID when the Inception graph is given (skipped with a note otherwise).
 */
final class DistributionMetrics {
  private DistributionMetrics() {}

  /**
   * Puts swd, fid, kid (and their counts) with {@code suffix} appended to each name, e.g. "_w3"
   * for the samples at guidance 3, and prints them.
   */
  /**
   * FID's estimate is biased upward at small sample counts, so a score is only comparable with
   * scores at the same count; papers report 10k to 50k.
   */
  static String sampleCountNote(int count) {
    return "note: FID from " + count + " samples; it falls as samples grow, so compare only at equal counts "
        + "(papers use 10,000-50,000: --samples)";
  }

  static void compare(EvaluationContext ctx, Samples samples, String suffix) throws IOException {
    Batch reference = ctx.reference();
    int size = ctx.task().imageSize();
    int channels = ctx.task().imageChannels();
    MetricsReport report = ctx.report();
    double swd = SlicedWasserstein.standard().distance(samples.pixels(), samples.count(), reference.images(),
        reference.size(), size, channels);
    report.put("swd" + suffix, swd).count("swd" + suffix + "_samples", samples.count());
    String label = suffix.isEmpty() ? "" : " " + suffix.substring(1).replace("w", "guidance ");
    ctx.out().printf("SWD%s (x1e3, %d samples vs %d held-out images): %.2f%n", label, samples.count(),
        reference.size(), swd);
    if (ctx.options().inception() == null) {
      ctx.out().println(InceptionFeatures.skippedNote());
      return;
    }
    try (InceptionFeatures inception = InceptionFeatures.load(ctx.options().inception())) {
      double[][] generated = inception.features(samples.pixels(), samples.count(), size, channels);
      int[] heldOut = java.util.Arrays.copyOf(ctx.data().split().validation(), reference.size());
      double[][] real = ReferenceFeatures.of(ctx.data().dataset(), heldOut, ctx.options().inception(),
          () -> inception.features(reference.images(), reference.size(), size, channels), ctx.out());
      double fid = FrechetDistance.between(generated, real);
      var kid = KernelInceptionDistance.between(generated, real);
      report.put("fid" + suffix, fid).count("fid" + suffix + "_samples", samples.count())
          .put("kid" + suffix, kid.mean()).put("kid" + suffix + "_std", kid.std());
      ctx.out().printf("FID%s (%d samples vs %d images): %.2f; KID: %.4f +- %.4f%n", label, samples.count(),
          reference.size(), fid, kid.mean(), kid.std());
      ctx.out().println(sampleCountNote(samples.count()));
    }
  }
}
