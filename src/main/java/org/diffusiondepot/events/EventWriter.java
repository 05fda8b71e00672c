package org.diffusiondepot.events;

import com.google.protobuf.ByteString;
import java.awt.image.BufferedImage;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.tensorflow.proto.DataClass;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.Event;
import org.tensorflow.proto.Summary;
import org.tensorflow.proto.SummaryMetadata;
import org.tensorflow.proto.TensorProto;
import org.tensorflow.proto.TensorShapeProto;

/**
 * Writes one new TensorBoard event file in a log directory. Every event carries wall_time (unix
 * seconds) and step. Thread-safe. Records are flushed to the operating system every {@value
 * #FLUSH_EVERY_RECORDS} records, every two seconds from a background thread, and on close, so a
 * killed process loses at most that much.
 */
public final class EventWriter implements Closeable {
  static final String FILE_VERSION = "brain.Event:2";
  static final int FLUSH_EVERY_RECORDS = 100;
  static final Duration FLUSH_INTERVAL = Duration.ofSeconds(2);

  // One daemon thread flushes all writers; it never keeps the JVM alive.
  private static final ScheduledExecutorService FLUSHER =
      Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "event-writer-flush");
        thread.setDaemon(true);
        return thread;
      });

  private final TfRecordWriter records;
  private final int flushEveryRecords;
  private final ScheduledFuture<?> periodicFlush;
  private int unflushed;
  private Exception backgroundFailure;
  private boolean closed;

  /** Creates {@code logDir} if needed and a new event file in it, starting with the version event. */
  public EventWriter(Path logDir) throws IOException {
    this(logDir, FLUSH_INTERVAL, FLUSH_EVERY_RECORDS);
  }

  EventWriter(Path logDir, Duration flushInterval, int flushEveryRecords) throws IOException {
    this.flushEveryRecords = flushEveryRecords;
    Instant now = Instant.now();
    Path file = EventFiles.createNew(logDir, now.getEpochSecond());
    records = new TfRecordWriter(file, StandardOpenOption.WRITE);
    try {
      records.write(Event.newBuilder()
          .setWallTime(seconds(now))
          .setStep(0)
          .setFileVersion(FILE_VERSION)
          .build()
          .toByteArray());
      records.flush();  // TensorBoard lists the run as soon as it starts
    } catch (IOException e) {
      records.close();
      throw e;
    }
    long millis = flushInterval.toMillis();
    periodicFlush =
        FLUSHER.scheduleWithFixedDelay(this::backgroundFlush, millis, millis, TimeUnit.MILLISECONDS);
  }

  /** The event file this writer appends to. */
  public Path file() {
    return records.file();
  }

  /** A scalar, stored as simple_value: TensorBoard keeps scalars as 32-bit floats. */
  public void scalar(String tag, long step, double value) throws IOException {
    writeValue(step, Summary.Value.newBuilder().setTag(tag).setSimpleValue((float) value));
  }

  /** An image, PNG-encoded; 8-bit gray stays gray, anything else becomes RGB or RGBA. */
  public void image(String tag, long step, BufferedImage image) throws IOException {
    Summary.Image png = SummaryImages.png(image);  // encode outside the lock
    writeValue(step, Summary.Value.newBuilder().setTag(tag).setImage(png));
  }

  /** Markdown text for the text dashboard: a scalar string tensor tagged with the "text" plugin. */
  public void text(String tag, long step, String markdown) throws IOException {
    TensorProto tensor = TensorProto.newBuilder()
        .setDtype(DataType.DT_STRING)
        .setTensorShape(TensorShapeProto.getDefaultInstance())  // rank 0
        .addStringVal(ByteString.copyFromUtf8(markdown))
        .build();
    SummaryMetadata metadata = SummaryMetadata.newBuilder()
        .setPluginData(SummaryMetadata.PluginData.newBuilder().setPluginName("text"))
        .setDataClass(DataClass.DATA_CLASS_TENSOR)
        .build();
    writeValue(step, Summary.Value.newBuilder().setTag(tag).setMetadata(metadata).setTensor(tensor));
  }

  /** A histogram of the finite entries of {@code values}, in TensorFlow's default buckets. */
  public void histogram(String tag, long step, float[] values) throws IOException {
    writeValue(step, Summary.Value.newBuilder().setTag(tag).setHisto(Histograms.of(values)));
  }

  /** Writes {@code event} as given (e.g. a SessionLog); its wall_time and step are not touched. */
  public synchronized void write(Event event) throws IOException {
    if (closed) {
      throw new IOException(file() + ": write after close");
    }
    throwBackgroundFailure();
    records.write(event.toByteArray());
    if (++unflushed >= flushEveryRecords) {
      flushRecords();
    }
  }

  private void writeValue(long step, Summary.Value.Builder value) throws IOException {
    write(Event.newBuilder()
        .setWallTime(seconds(Instant.now()))
        .setStep(step)
        .setSummary(Summary.newBuilder().addValue(value))
        .build());
  }

  public synchronized void flush() throws IOException {
    if (!closed) {
      throwBackgroundFailure();
      flushRecords();
    }
  }

  @Override
  public synchronized void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    periodicFlush.cancel(false);
    records.close();
    throwBackgroundFailure();
  }

  private void flushRecords() throws IOException {
    records.flush();
    unflushed = 0;
  }

  private synchronized void backgroundFlush() {
    if (closed || unflushed == 0 || backgroundFailure != null) {
      return;
    }
    try {
      flushRecords();
    } catch (IOException | RuntimeException e) {
      backgroundFailure = e;  // reported by the next call on this writer
    }
  }

  private void throwBackgroundFailure() throws IOException {
    if (backgroundFailure != null) {
      Exception failure = backgroundFailure;
      backgroundFailure = null;
      throw new IOException(file() + ": background flush failed", failure);
    }
  }

  private static double seconds(Instant t) {
    return t.getEpochSecond() + t.getNano() / 1e9;
  }
}
