package org.diffusiondepot.firststage;

import org.diffusiondepot.data.Batch;
import org.diffusiondepot.data.BatchLoader;
import org.diffusiondepot.data.ImageDataset;
import org.diffusiondepot.runtime.Tensors;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * How well a first stage reconstructs a fixed set of images: mean PSNR (dB), mean L1, and the
 * perplexity and used fraction of the codebook over all latent positions of the set (one code
 * histogram for the whole set, not a mean of per-batch values).
 */
public record ReconstructionReport(double psnr, double l1, double perplexity, double usage, int images) {

  /** Reconstructs up to {@code maxBatches} batches of {@code indices}, in order. */
  public static ReconstructionReport measure(Session session, FirstStageTrainingGraph graph, ImageDataset dataset,
      int[] indices, int batchSize, int maxBatches) {
    int size = dataset.resolution();
    int codebookSize = graph.network.spec().codebookSize();
    long[] counts = new long[codebookSize];
    double psnrSum = 0;
    double l1Sum = 0;
    long values = 0;
    int images = 0;
    for (int b = 0; b < maxBatches && b * batchSize < indices.length; b++) {
      Batch batch = BatchLoader.load(dataset, indices, b * batchSize, batchSize);
      try (TFloat32 x = Tensors.of(batch.images(), batch.size(), size, size, batch.channels());
          Result r = graph.evaluate(session, x)) {
        float[] reconstruction = Tensors.floats((TFloat32) r.get(0));
        for (double p : Psnr.perImage(batch.images(), reconstruction, batch.size())) {
          psnrSum += p;
        }
        for (int i = 0; i < reconstruction.length; i++) {
          l1Sum += Math.abs(batch.images()[i] - reconstruction[i]);
        }
        values += reconstruction.length;
        TInt32 codes = (TInt32) r.get(1);
        int n = (int) codes.size();
        int[] flat = new int[n];
        codes.copyTo(org.tensorflow.ndarray.buffer.DataBuffers.of(flat, false, false));
        for (int c : flat) {
          counts[c]++;
        }
        images += batch.size();
      }
    }
    long total = 0;
    int used = 0;
    for (long c : counts) {
      total += c;
      used += c > 0 ? 1 : 0;
    }
    double entropy = 0;
    for (long c : counts) {
      if (c > 0) {
        double p = (double) c / total;
        entropy -= p * Math.log(p);
      }
    }
    return new ReconstructionReport(psnrSum / images, l1Sum / values, Math.exp(entropy), (double) used / codebookSize,
        images);
  }
}
