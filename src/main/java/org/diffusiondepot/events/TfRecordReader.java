package org.diffusiondepot.events;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a TFRecord file front to back, verifying the length and data checksum of every record.
 * Errors are {@link TfRecordFormatException}s naming the file and the record's byte offset; a file
 * that ends inside a record gives the subclass {@link TruncatedRecordException}.
 */
public final class TfRecordReader implements Closeable {
  // Protobuf messages cannot exceed 2 GiB, and neither can a Java array.
  private static final long MAX_RECORD_BYTES = Integer.MAX_VALUE - 64;

  private final Path file;
  private final SeekableByteChannel channel;
  private final InputStream in;
  private long offset;

  public TfRecordReader(Path file) throws IOException {
    this.file = file;
    this.channel = Files.newByteChannel(file);
    this.in = new BufferedInputStream(Channels.newInputStream(channel), 64 * 1024);
  }

  /** All records of {@code file}; any malformed record, even a truncated last one, throws. */
  public static List<byte[]> readAll(Path file) throws IOException {
    return readAll(file, false);
  }

  /**
   * All records of {@code file}. With {@code tolerateTruncatedTail}, a last record cut short (as a
   * killed writer leaves it) is dropped silently; checksum errors still throw.
   */
  public static List<byte[]> readAll(Path file, boolean tolerateTruncatedTail) throws IOException {
    List<byte[]> records = new ArrayList<>();
    try (TfRecordReader reader = new TfRecordReader(file)) {
      for (byte[] record = reader.next(); record != null; record = reader.next()) {
        records.add(record);
      }
    } catch (TruncatedRecordException e) {
      if (!tolerateTruncatedTail) {
        throw e;
      }
    }
    return records;
  }

  public Path file() {
    return file;
  }

  /** Byte offset of the next record, i.e. the length of the intact prefix read so far. */
  public long offset() {
    return offset;
  }

  /**
   * The next record's data, or null at a clean end of file. After an exception this reader is
   * spent; {@link #offset()} still says where the bad record starts.
   */
  public byte[] next() throws IOException {
    byte[] header = new byte[TfRecordWriter.HEADER_BYTES];
    int got = readFully(header);
    if (got == 0) {
      return null;
    }
    if (got < header.length) {
      throw new TruncatedRecordException(file, offset,
          "file ends after " + got + " of " + header.length + " header bytes");
    }
    ByteBuffer h = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
    long length = h.getLong(0);
    int storedLengthCrc = h.getInt(8);
    int lengthCrc = MaskedCrc32c.of(header, 0, 8);
    if (storedLengthCrc != lengthCrc) {
      throw new TfRecordFormatException(file, offset, "length checksum mismatch (stored "
          + hex(storedLengthCrc) + ", computed " + hex(lengthCrc) + ")");
    }
    if (length < 0 || length > MAX_RECORD_BYTES) {
      throw new TfRecordFormatException(file, offset,
          "record length " + Long.toUnsignedString(length) + " too large");
    }
    // A checksummed length pointing past the end means the rest was never written: check before
    // allocating, so a truncated huge record does not allocate its full size.
    long available = channel.size() - (offset + header.length);
    long needed = length + TfRecordWriter.FOOTER_BYTES;
    if (available < needed) {
      throw new TruncatedRecordException(file, offset, "file ends " + (needed - available)
          + " bytes short of the " + length + "-byte record");
    }
    byte[] data = new byte[(int) length];
    byte[] footer = new byte[TfRecordWriter.FOOTER_BYTES];
    got = readFully(data) + readFully(footer);
    if (got < needed) {
      throw new TruncatedRecordException(file, offset, "file ends " + (needed - got)
          + " bytes short of the " + length + "-byte record");
    }
    int storedDataCrc = ByteBuffer.wrap(footer).order(ByteOrder.LITTLE_ENDIAN).getInt(0);
    int dataCrc = MaskedCrc32c.of(data);
    if (storedDataCrc != dataCrc) {
      throw new TfRecordFormatException(file, offset, "data checksum mismatch (stored "
          + hex(storedDataCrc) + ", computed " + hex(dataCrc) + ")");
    }
    offset += header.length + needed;
    return data;
  }

  /** Reads until {@code buffer} is full or the file ends; returns the bytes read. */
  private int readFully(byte[] buffer) throws IOException {
    int total = 0;
    while (total < buffer.length) {
      int n = in.read(buffer, total, buffer.length - total);
      if (n < 0) {
        break;
      }
      total += n;
    }
    return total;
  }

  private static String hex(int crc) {
    return String.format("0x%08x", crc);
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
