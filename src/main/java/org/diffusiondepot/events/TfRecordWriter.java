package org.diffusiondepot.events;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;

/**
 * Appends records in TensorFlow's TFRecord framing: uint64 length, uint32 masked CRC-32C of the
 * length bytes, the data, uint32 masked CRC-32C of the data, all little-endian. Thread-safe.
 */
public final class TfRecordWriter implements Closeable {
  static final int HEADER_BYTES = 12;
  static final int FOOTER_BYTES = 4;
  private static final int BUFFER_BYTES = 64 * 1024;

  private final Path file;
  private final OutputStream out;
  private boolean closed;

  /**
   * Opens {@code file} for writing. With no options it is created or truncated, as {@link
   * Files#newOutputStream} does; pass {@code CREATE_NEW, WRITE} to refuse an existing file.
   */
  public TfRecordWriter(Path file, OpenOption... options) throws IOException {
    this.file = file;
    this.out = new BufferedOutputStream(Files.newOutputStream(file, options), BUFFER_BYTES);
  }

  public Path file() {
    return file;
  }

  public void write(byte[] data) throws IOException {
    write(data, 0, data.length);
  }

  public synchronized void write(byte[] data, int offset, int length) throws IOException {
    if (closed) {
      throw new IOException(file + ": write after close");
    }
    // One write call per record: the buffer then never spills half a record to the file, so a
    // reader of a live file rarely sees a truncated tail.
    out.write(frame(data, offset, length));
  }

  /** The framed bytes of one record, exactly as TensorFlow writes them. */
  static byte[] frame(byte[] data, int offset, int length) {
    ByteBuffer record = ByteBuffer.allocate(HEADER_BYTES + length + FOOTER_BYTES)
        .order(ByteOrder.LITTLE_ENDIAN);
    record.putLong(length);
    record.putInt(MaskedCrc32c.of(record.array(), 0, 8));
    record.put(data, offset, length);
    record.putInt(MaskedCrc32c.of(data, offset, length));
    return record.array();
  }

  /** Hands buffered records to the operating system (they then survive a crash of this process). */
  public synchronized void flush() throws IOException {
    if (!closed) {
      out.flush();
    }
  }

  @Override
  public synchronized void close() throws IOException {
    if (!closed) {
      closed = true;
      out.close();
    }
  }
}
