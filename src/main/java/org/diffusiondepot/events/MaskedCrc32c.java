package org.diffusiondepot.events;

import com.google.common.hash.Hashing;

/**
 * The checksum TFRecords store: CRC-32C (Castagnoli), rotated and offset as in LevelDB, because a
 * plain CRC of data that itself embeds CRCs is weak.
 */
final class MaskedCrc32c {
  private static final int MASK_DELTA = 0xa282ead8;

  private MaskedCrc32c() {}

  /** The unmasked CRC-32C of {@code data[offset, offset + length)}. */
  static int crc32c(byte[] data, int offset, int length) {
    return Hashing.crc32c().hashBytes(data, offset, length).asInt();
  }

  static int of(byte[] data, int offset, int length) {
    return mask(crc32c(data, offset, length));
  }

  static int of(byte[] data) {
    return of(data, 0, data.length);
  }

  /** ((crc >>> 15) | (crc << 17)) + 0xa282ead8, in 32-bit arithmetic. */
  static int mask(int crc) {
    return Integer.rotateRight(crc, 15) + MASK_DELTA;
  }

  static int unmask(int masked) {
    return Integer.rotateLeft(masked - MASK_DELTA, 15);
  }
}
