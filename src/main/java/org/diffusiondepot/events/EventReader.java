package org.diffusiondepot.events;

import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.tensorflow.proto.Event;
import org.tensorflow.proto.Summary;
import org.tensorflow.proto.TensorProto;
import org.tensorflow.proto.TensorShapeProto;

/**
 * Reads event files back: one file as raw events, or a whole log directory (the event files
 * directly in it, in name order, as TensorBoard reads a run) as scalars or tags. Directory reads
 * drop a truncated last record of any file, which a killed or still-running writer leaves, as
 * TensorBoard does; checksum errors always throw.
 */
public final class EventReader {
  private EventReader() {}

  /** Every event of {@code eventFile}; any malformed record, even a truncated last one, throws. */
  public static List<Event> read(Path eventFile) throws IOException {
    return read(eventFile, false);
  }

  /** Every event of {@code eventFile}, optionally dropping a truncated last record. */
  public static List<Event> read(Path eventFile, boolean tolerateTruncatedTail) throws IOException {
    List<Event> events = new ArrayList<>();
    try (TfRecordReader reader = new TfRecordReader(eventFile)) {
      while (true) {
        long offset = reader.offset();
        byte[] record = reader.next();
        if (record == null) {
          break;
        }
        try {
          events.add(Event.parseFrom(record));
        } catch (InvalidProtocolBufferException e) {
          throw new TfRecordFormatException(eventFile, offset, "not an Event proto: " + e.getMessage());
        }
      }
    } catch (TruncatedRecordException e) {
      if (!tolerateTruncatedTail) {
        throw e;
      }
    }
    return events;
  }

  /** The event files directly in {@code logDir}, in name order (oldest first). */
  public static List<Path> eventFiles(Path logDir) throws IOException {
    return EventFiles.list(logDir);
  }

  /**
   * Per tag, sorted by tag, the scalar points ordered by step. When a step repeats (a resumed run
   * writes a new file and re-logs steps after its checkpoint) the later value wins. Reads both
   * simple_value scalars and tf.summary v2 scalar tensors.
   */
  public static Map<String, List<ScalarPoint>> scalars(Path logDir) throws IOException {
    Map<String, TreeMap<Long, ScalarPoint>> byTag = new TreeMap<>();
    forEachValue(logDir, (event, value, kind) -> {
      if (kind != SummaryKind.SCALAR) {
        return;
      }
      Double v = scalarValue(value);
      if (v != null) {
        byTag.computeIfAbsent(value.getTag(), t -> new TreeMap<>())
            .put(event.getStep(), new ScalarPoint(event.getStep(), event.getWallTime(), v));
      }
    });
    Map<String, List<ScalarPoint>> result = new TreeMap<>();
    byTag.forEach((tag, points) -> result.put(tag, List.copyOf(points.values())));
    return result;
  }

  /** Every tag in {@code logDir}, sorted, with the kind of its first value. */
  public static Map<String, SummaryKind> tags(Path logDir) throws IOException {
    Map<String, SummaryKind> tags = new TreeMap<>();
    forEachValue(logDir, (event, value, kind) -> {
      if (kind != null) {
        tags.putIfAbsent(value.getTag(), kind);
      }
    });
    return tags;
  }

  /** The sorted tags of images in {@code logDir}. */
  public static List<String> imageTags(Path logDir) throws IOException {
    List<String> images = new ArrayList<>();
    tags(logDir).forEach((tag, kind) -> {
      if (kind == SummaryKind.IMAGE) {
        images.add(tag);
      }
    });
    return images;
  }

  private interface ValueVisitor {
    void visit(Event event, Summary.Value value, SummaryKind kind);
  }

  /** Visits every summary value of the run in file order, resolving kinds as TensorBoard does. */
  private static void forEachValue(Path logDir, ValueVisitor visitor) throws IOException {
    Map<String, SummaryKind> firstKinds = new HashMap<>();
    for (Path file : EventFiles.list(logDir)) {
      for (Event event : read(file, true)) {
        if (!event.hasSummary()) {
          continue;
        }
        for (Summary.Value value : event.getSummary().getValueList()) {
          SummaryKind kind = SummaryKind.of(value);
          if (kind != null) {
            firstKinds.putIfAbsent(value.getTag(), kind);
          } else {
            kind = firstKinds.get(value.getTag());
          }
          visitor.visit(event, value, kind);
        }
      }
    }
  }

  /** A scalar's value from simple_value or a one-element numeric tensor; null if neither. */
  private static Double scalarValue(Summary.Value value) {
    if (value.hasSimpleValue()) {
      return (double) value.getSimpleValue();
    }
    if (!value.hasTensor()) {
      return null;
    }
    TensorProto t = value.getTensor();
    long elements = 1;
    for (TensorShapeProto.Dim dim : t.getTensorShape().getDimList()) {
      elements *= dim.getSize();
    }
    if (elements != 1) {
      return null;
    }
    // Values sit either in the typed repeated field or, as tf.summary v2 writes them, in the
    // little-endian tensor_content bytes. (Plain ifs: a ternary mixing double and null unboxes.)
    ByteBuffer content = t.getTensorContent().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    switch (t.getDtype()) {
      case DT_FLOAT:
        if (t.getFloatValCount() > 0) {
          return (double) t.getFloatVal(0);
        }
        return content.remaining() >= 4 ? Double.valueOf(content.getFloat(0)) : null;
      case DT_DOUBLE:
        if (t.getDoubleValCount() > 0) {
          return t.getDoubleVal(0);
        }
        return content.remaining() >= 8 ? Double.valueOf(content.getDouble(0)) : null;
      case DT_INT32:
        if (t.getIntValCount() > 0) {
          return (double) t.getIntVal(0);
        }
        return content.remaining() >= 4 ? Double.valueOf(content.getInt(0)) : null;
      case DT_INT64:
        if (t.getInt64ValCount() > 0) {
          return (double) t.getInt64Val(0);
        }
        return content.remaining() >= 8 ? Double.valueOf(content.getLong(0)) : null;
      default:
        return null;
    }
  }
}
