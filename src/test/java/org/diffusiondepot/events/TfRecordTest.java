package org.diffusiondepot.events;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TfRecordTest {
  @TempDir
  Path dir;

  /** Two records of a real TensorFlow event file: the version event and a v2 scalar (step 77). */
  static byte[] tensorFlowEventFile() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(bytes(0x18, 0, 0, 0, 0, 0, 0, 0, 0xa3, 0x7f, 0x4b, 0x22));
    out.writeBytes(versionEventData());
    out.writeBytes(bytes(0x12, 0x4b, 0x36, 0xab));
    out.writeBytes(bytes(0x32, 0, 0, 0, 0, 0, 0, 0, 0x24, 0x19, 0x56, 0xec));
    out.writeBytes(scalarEventData());
    out.writeBytes(bytes(0xa5, 0x5b, 0x64, 0x33));
    return out.toByteArray();
  }

  /** Event{wall_time: 1599759586.0, file_version: "brain.Event:2"}. */
  static byte[] versionEventData() {
    return concat(bytes(0x09, 0x00, 0x00, 0x80, 0x38, 0x99, 0xd6, 0xd7, 0x41, 0x1a, 0x0d),
        ascii("brain.Event:2"));
  }

  /** tf.summary.scalar("accuracy", 0.99, step=77): a float tensor_content with plugin "scalars". */
  static byte[] scalarEventData() {
    return concat(
        bytes(0x09, 0xc4, 0x05, 0xb7, 0x3d, 0x99, 0xd6, 0xd7, 0x41, 0x10, 0x4d, 0x2a, 0x25, 0x0a,
            0x23, 0x0a, 0x08),
        ascii("accuracy"),
        bytes(0x42, 0x0a, 0x08, 0x01, 0x12, 0x00, 0x22, 0x04, 0xa4, 0x70, 0x7d, 0x3f, 0x4a, 0x0b,
            0x0a, 0x09, 0x0a, 0x07),
        ascii("scalars"));
  }

  @Test
  void crc32cOfTheCheckString() {
    byte[] check = ascii("123456789");
    assertEquals(0xE3069283, MaskedCrc32c.crc32c(check, 0, check.length));
    CRC32C jdk = new CRC32C();
    jdk.update(check);
    assertEquals(jdk.getValue(), Integer.toUnsignedLong(MaskedCrc32c.crc32c(check, 0, 9)));
    // RFC 3720 (iSCSI) B.4: 32 zero bytes.
    assertEquals(0x8a9136aa, MaskedCrc32c.crc32c(new byte[32], 0, 32));
  }

  @Test
  void maskedCrcMatchesTensorFlow() {
    // ((0xE3069283 >>> 15) | (0xE3069283 << 17)) + 0xa282ead8, worked out by hand.
    assertEquals(0xc78ab0e5, MaskedCrc32c.of(ascii("123456789")));
    // From a real TensorFlow event file: Event(file_version="CRC test, one two").
    assertEquals(0x5794d08a, MaskedCrc32c.of(concat(bytes(0x1a, 0x11), ascii("CRC test, one two"))));
    // The length field of a 24-byte record.
    assertEquals(0x224b7fa3, MaskedCrc32c.of(bytes(0x18, 0, 0, 0, 0, 0, 0, 0)));
    for (int crc : new int[] {0, 1, -1, 0xE3069283, 0x80000000}) {
      assertEquals(crc, MaskedCrc32c.unmask(MaskedCrc32c.mask(crc)));
    }
  }

  @Test
  void writerReproducesTensorFlowBytes() throws IOException {
    Path file = dir.resolve("tf.tfrecord");
    try (TfRecordWriter writer = new TfRecordWriter(file)) {
      writer.write(versionEventData());
      writer.write(scalarEventData());
    }
    assertArrayEquals(tensorFlowEventFile(), Files.readAllBytes(file));
  }

  @Test
  void readerReadsTensorFlowBytes() throws IOException {
    Path file = Files.write(dir.resolve("tf.tfrecord"), tensorFlowEventFile());
    List<byte[]> records = TfRecordReader.readAll(file);
    assertEquals(2, records.size());
    assertArrayEquals(versionEventData(), records.get(0));
    assertArrayEquals(scalarEventData(), records.get(1));
  }

  @Test
  void roundTripsEmptyAndLargeRecords() throws IOException {
    Path file = dir.resolve("records");
    byte[] large = new byte[200_000];  // bigger than the write buffer
    for (int i = 0; i < large.length; i++) {
      large[i] = (byte) (i * 31);
    }
    try (TfRecordWriter writer = new TfRecordWriter(file)) {
      writer.write(new byte[0]);
      writer.write(large);
      writer.write(ascii("last"));
    }
    List<byte[]> records = TfRecordReader.readAll(file);
    assertEquals(3, records.size());
    assertEquals(0, records.get(0).length);
    assertArrayEquals(large, records.get(1));
    assertArrayEquals(ascii("last"), records.get(2));
    assertEquals(12 * 3 + 4 * 3 + large.length + 4, Files.size(file));
    assertTrue(TfRecordReader.readAll(Files.createFile(dir.resolve("empty"))).isEmpty());
  }

  @Test
  void corruptDataByteNamesFileAndOffset() throws IOException {
    Path file = threeRecords();
    byte[] bytes = Files.readAllBytes(file);
    long second = 12 + 5 + 4;  // the first record holds 5 bytes
    bytes[(int) second + 12 + 2] ^= 0x01;  // a data byte of the second record
    Files.write(file, bytes);
    TfRecordFormatException e =
        assertThrows(TfRecordFormatException.class, () -> TfRecordReader.readAll(file, true));
    assertFalse(e instanceof TruncatedRecordException);
    assertEquals(second, e.offset());
    assertEquals(file, e.file());
    assertTrue(e.getMessage().contains("offset " + second), e.getMessage());
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("data checksum"), e.getMessage());
  }

  @Test
  void corruptLengthByteIsALengthChecksumError() throws IOException {
    Path file = threeRecords();
    byte[] bytes = Files.readAllBytes(file);
    bytes[21] ^= 0x40;  // the length of the second record
    Files.write(file, bytes);
    TfRecordFormatException e =
        assertThrows(TfRecordFormatException.class, () -> TfRecordReader.readAll(file, true));
    assertFalse(e instanceof TruncatedRecordException);
    assertEquals(21, e.offset());
    assertTrue(e.getMessage().contains("length checksum"), e.getMessage());
  }

  @Test
  void truncatedTailIsReportedAndCanBeSkipped() throws IOException {
    Path whole = threeRecords();
    byte[] bytes = Files.readAllBytes(whole);
    long third = 2 * (12 + 5 + 4);
    // Cut inside the header, the data, and the footer of the third record.
    for (int keep : new int[] {1, 11, 12, 14, 12 + 5, 12 + 5 + 3}) {
      Path file = Files.write(dir.resolve("cut" + keep), Arrays.copyOf(bytes, (int) third + keep));
      TfRecordFormatException e =
          assertThrows(TfRecordFormatException.class, () -> TfRecordReader.readAll(file));
      assertInstanceOf(TruncatedRecordException.class, e, e.getMessage());
      assertEquals(third, e.offset());
      assertTrue(e.getMessage().contains("offset " + third), e.getMessage());
      List<byte[]> kept = TfRecordReader.readAll(file, true);
      assertEquals(2, kept.size());
      assertArrayEquals(ascii("rec-1"), kept.get(1));
    }
  }

  private Path threeRecords() throws IOException {
    Path file = dir.resolve("three");
    try (TfRecordWriter writer = new TfRecordWriter(file)) {
      for (int i = 0; i < 3; i++) {
        writer.write(ascii("rec-" + i));
      }
    }
    return file;
  }

  static byte[] bytes(int... values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      b[i] = (byte) values[i];
    }
    return b;
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }
}
