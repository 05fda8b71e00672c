package org.diffusiondepot.data;

import com.google.common.hash.Hashing;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A deterministic train/validation split. Each item's side is decided by a hash of (seed, its
 * stable key) alone, never by its index or by the other items, so adding or removing files leaves
 * every other file where it was and a resumed run never trains on its validation images.
 */
public final class Split {
  private final int[] train;
  private final int[] validation;

  private Split(int[] train, int[] validation) {
    this.train = train;
    this.validation = validation;
  }

  /**
   * @param trainFraction expected share of training items, strictly between 0 and 1
   */
  public static Split of(ImageDataset ds, double trainFraction, long seed) {
    if (!(trainFraction > 0 && trainFraction < 1)) {
      throw new IllegalArgumentException("train fraction must be strictly between 0 and 1, got " + trainFraction);
    }
    int n = ds.size();
    double[] position = new double[n];
    boolean[] isTrain = new boolean[n];
    int trainCount = 0;
    for (int i = 0; i < n; i++) {
      position[i] = uniform(seed, ds.stableKey(i));
      isTrain[i] = position[i] < trainFraction;
      trainCount += isTrain[i] ? 1 : 0;
    }
    // Tiny sets can hash all to one side: move the item nearest the threshold so that training
    // always has an image and validation has one whenever there are two.
    if (n >= 1 && trainCount == 0) {
      isTrain[extreme(position, isTrain, false)] = true;
    } else if (n >= 2 && trainCount == n) {
      isTrain[extreme(position, isTrain, true)] = false;
    }
    int[] train = indicesWhere(isTrain, true);
    int[] validation = indicesWhere(isTrain, false);
    return new Split(train, validation);
  }

  /** A value in [0, 1) from the first 53 bits of murmur3_128(seed, key). */
  private static double uniform(long seed, String key) {
    long h = Hashing.murmur3_128().newHasher().putLong(seed).putString(key, StandardCharsets.UTF_8).hash().asLong();
    return (h >>> 11) * 0x1.0p-53;
  }

  /** Index of the largest position among train items (wantTrain) or smallest among validation ones. */
  private static int extreme(double[] position, boolean[] isTrain, boolean wantTrain) {
    int best = -1;
    for (int i = 0; i < position.length; i++) {
      if (isTrain[i] == wantTrain && (best < 0
          || (wantTrain ? position[i] > position[best] : position[i] < position[best]))) {
        best = i;
      }
    }
    return best;
  }

  private static int[] indicesWhere(boolean[] flags, boolean value) {
    int[] out = new int[flags.length];
    int count = 0;
    for (int i = 0; i < flags.length; i++) {
      if (flags[i] == value) {
        out[count++] = i;
      }
    }
    return Arrays.copyOf(out, count);
  }

  /** Dataset indices used for training, ascending; a fresh copy. */
  public int[] train() {
    return train.clone();
  }

  /** Dataset indices held out for validation, ascending; a fresh copy. Empty only for a one-image set. */
  public int[] validation() {
    return validation.clone();
  }
}
