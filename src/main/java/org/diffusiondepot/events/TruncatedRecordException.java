package org.diffusiondepot.events;

import java.nio.file.Path;

/**
 * The file ends inside a record. Usually harmless: a writer killed mid-record, or a live file read
 * between two flushes; all records before {@link #offset()} are intact.
 */
public final class TruncatedRecordException extends TfRecordFormatException {
  public TruncatedRecordException(Path file, long offset, String problem) {
    super(file, offset, problem);
  }
}
