package org.diffusiondepot.events;

import java.io.IOException;
import java.nio.file.Path;

/** A TFRecord file is malformed at a known byte offset: a checksum mismatch or an impossible length. */
public class TfRecordFormatException extends IOException {
  private final Path file;
  private final long offset;

  public TfRecordFormatException(Path file, long offset, String problem) {
    super(file + ": " + problem + " in the record at byte offset " + offset);
    this.file = file;
    this.offset = offset;
  }

  public Path file() {
    return file;
  }

  /** Byte offset of the start of the bad record (its length field). */
  public long offset() {
    return offset;
  }
}
