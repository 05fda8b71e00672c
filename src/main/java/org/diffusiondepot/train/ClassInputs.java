package org.diffusiondepot.train;

import java.util.SplittableRandom;
import org.diffusiondepot.data.Batch;
import org.diffusiondepot.sampler.Conditioning;

/**
 * Class-conditional generation: each label is replaced by the null class (index = number of
 * classes) with probability {@code labelDropout}, so one network learns both the conditional and
 * the unconditional noise prediction that classifier-free guidance combines.
 */
record ClassInputs(int targetSize, int targetChannels, int numClasses, double labelDropout, long seed)
    implements TaskInputs {

  @Override
  public Conditioning condition(Batch batch, long step) {
    return Conditioning.ofLabels(dropLabels(batch.labels(), batch.size(), step));
  }

  /** Labels of one batch after dropout; deterministic in (seed, step). */
  int[] dropLabels(int[] labels, int count, long step) {
    SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + step);
    int[] out = new int[count];
    for (int i = 0; i < count; i++) {
      if (labels[i] < 0 || labels[i] >= numClasses) {
        throw new IllegalArgumentException("label " + labels[i] + " outside 0.." + (numClasses - 1));
      }
      out[i] = random.nextDouble() < labelDropout ? numClasses : labels[i];
    }
    return out;
  }

  /** Validation uses the true labels, never the null class. */
  @Override
  public Conditioning validationCondition(Batch batch) {
    return Conditioning.ofLabels(java.util.Arrays.copyOf(batch.labels(), batch.size()));
  }

  /** One column per class. */
  @Override
  public java.awt.image.BufferedImage previewGrid(float[] samples, Conditioning condition, int count) {
    return org.diffusiondepot.image.ImageGrid.of(samples, count, targetSize, targetChannels, numClasses);
  }

  /** Previews cycle through the classes. */
  @Override
  public Conditioning previewCondition(Batch validation, int count) {
    int[] labels = new int[count];
    for (int i = 0; i < count; i++) {
      labels[i] = i % numClasses;
    }
    return Conditioning.ofLabels(labels);
  }
}
