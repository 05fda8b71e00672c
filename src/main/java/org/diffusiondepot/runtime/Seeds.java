package org.diffusiondepot.runtime;

import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;

/**
 * Derives independent seeds from tuples such as (seed, epoch) or (seed, step, slot), so every
 * random choice is a pure function of its coordinates and not of the order work happens in.
 */
public final class Seeds {
  private Seeds() {}

  public static long mix(long... parts) {
    Hasher hasher = Hashing.murmur3_128().newHasher();
    for (long part : parts) {
      hasher.putLong(part);
    }
    return hasher.hash().asLong();
  }
}
