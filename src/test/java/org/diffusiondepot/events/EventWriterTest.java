package org.diffusiondepot.events;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.Event;
import org.tensorflow.proto.HistogramProto;
import org.tensorflow.proto.Summary;

class EventWriterTest {
  @TempDir
  Path dir;

  @Test
  void firstEventIsTheFileVersion() throws IOException {
    double before = System.currentTimeMillis() / 1000.0;
    Path logDir = dir.resolve("run/nested");  // created on demand
    Path file;
    try (EventWriter writer = new EventWriter(logDir)) {
      file = writer.file();
      // Readable before close: the version event is flushed at once.
      assertEquals(1, EventReader.read(file).size());
      writer.scalar("loss", 5, 1.0);
    }
    assertEquals(logDir, file.getParent());
    assertTrue(file.getFileName().toString().matches("events\\.out\\.tfevents\\.\\d{10}\\..+"),
        file.toString());
    List<Event> events = EventReader.read(file);
    Event first = events.get(0);
    assertEquals("brain.Event:2", first.getFileVersion());
    assertEquals(0, first.getStep());
    assertEquals(before, first.getWallTime(), 60.0);
    assertTrue(first.getWallTime() >= Math.floor(before));
    assertTrue(events.get(1).getWallTime() >= first.getWallTime());
    assertEquals(List.of(file), EventReader.eventFiles(logDir));
  }

  @Test
  void scalarsRoundTrip() throws IOException {
    Path file;
    try (EventWriter writer = new EventWriter(dir)) {
      file = writer.file();
      for (int step = 0; step < 10; step++) {
        writer.scalar("train/loss", step * 10L, 1.0 / (step + 1));
        writer.scalar("train/lr", step * 10L, 2e-4);
      }
    }
    List<Event> events = EventReader.read(file);
    assertEquals(21, events.size());
    Summary.Value value = events.get(3).getSummary().getValue(0);
    assertEquals("train/loss", value.getTag());
    assertEquals(10, events.get(3).getStep());
    assertEquals(0.5f, value.getSimpleValue());

    Map<String, List<ScalarPoint>> scalars = EventReader.scalars(dir);
    assertEquals(List.of("train/loss", "train/lr"), List.copyOf(scalars.keySet()));
    List<ScalarPoint> loss = scalars.get("train/loss");
    assertEquals(10, loss.size());
    for (int step = 0; step < 10; step++) {
      assertEquals(step * 10L, loss.get(step).step());
      assertEquals((float) (1.0 / (step + 1)), loss.get(step).value(), 0.0);
      assertTrue(loss.get(step).wallTime() > 1.6e9);
    }
    assertEquals((float) 2e-4, scalars.get("train/lr").get(9).value(), 0.0);
  }

  @Test
  void imagesRoundTrip() throws IOException {
    BufferedImage rgb = new BufferedImage(7, 5, BufferedImage.TYPE_INT_RGB);
    BufferedImage argb = new BufferedImage(4, 3, BufferedImage.TYPE_INT_ARGB);
    BufferedImage gray = new BufferedImage(3, 2, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < 5; y++) {
      for (int x = 0; x < 7; x++) {
        rgb.setRGB(x, y, (x * 36) << 16 | (y * 50) << 8 | (x + y) * 10);
      }
    }
    argb.setRGB(1, 1, 0x80ff0000);
    gray.getRaster().setSample(2, 1, 0, 200);
    Path file;
    try (EventWriter writer = new EventWriter(dir)) {
      file = writer.file();
      writer.image("samples/rgb", 100, rgb);
      writer.image("samples/argb", 100, argb);
      writer.image("samples/gray", 200, gray);
    }
    List<Event> events = EventReader.read(file);
    Summary.Image image = events.get(1).getSummary().getValue(0).getImage();
    assertEquals(100, events.get(1).getStep());
    assertEquals(5, image.getHeight());
    assertEquals(7, image.getWidth());
    assertEquals(3, image.getColorspace());
    BufferedImage decoded = decode(image);
    for (int y = 0; y < 5; y++) {
      for (int x = 0; x < 7; x++) {
        assertEquals(rgb.getRGB(x, y), decoded.getRGB(x, y), "pixel " + x + "," + y);
      }
    }
    Summary.Image alpha = events.get(2).getSummary().getValue(0).getImage();
    assertEquals(4, alpha.getColorspace());
    assertEquals(0x80ff0000, decode(alpha).getRGB(1, 1));
    Summary.Image grayImage = events.get(3).getSummary().getValue(0).getImage();
    assertEquals(1, grayImage.getColorspace());
    assertEquals(200, decode(grayImage).getRaster().getSample(2, 1, 0));

    assertEquals(List.of("samples/argb", "samples/gray", "samples/rgb"), EventReader.imageTags(dir));
  }

  @Test
  void textRoundTrips() throws IOException {
    String markdown = "## Config\n\n| key | value |\n|---|---|\n| lr | 2e-4 |\n\nβ schedule: *cosine* ✓";
    Path file;
    try (EventWriter writer = new EventWriter(dir)) {
      file = writer.file();
      writer.text("config", 0, markdown);
    }
    Event event = EventReader.read(file).get(1);
    Summary.Value value = event.getSummary().getValue(0);
    assertEquals("config", value.getTag());
    assertEquals("text", value.getMetadata().getPluginData().getPluginName());
    assertEquals(DataType.DT_STRING, value.getTensor().getDtype());
    assertEquals(0, value.getTensor().getTensorShape().getDimCount());
    assertEquals(markdown, value.getTensor().getStringVal(0).toStringUtf8());
    assertEquals(Map.of("config", SummaryKind.TEXT), EventReader.tags(dir));
  }

  @Test
  void histogramRoundTrips() throws IOException {
    float[] values = {0f, 1f, 1f, 2.5f, -3f, Float.NaN};
    Path file;
    try (EventWriter writer = new EventWriter(dir)) {
      file = writer.file();
      writer.histogram("weights/conv1", 42, values);
      writer.scalar("loss", 42, 0.1);
    }
    Event event = EventReader.read(file).get(1);
    assertEquals(42, event.getStep());
    HistogramProto h = event.getSummary().getValue(0).getHisto();
    assertEquals(-3.0, h.getMin());
    assertEquals(2.5, h.getMax());
    assertEquals(5.0, h.getNum());  // NaN left out
    assertEquals(1.5, h.getSum(), 1e-12);
    assertEquals(17.25, h.getSumSquares(), 1e-12);
    assertEquals(Map.of("loss", SummaryKind.SCALAR, "weights/conv1", SummaryKind.HISTOGRAM),
        EventReader.tags(dir));
  }

  @Test
  void histogramBucketsFollowTensorFlow() {
    double[] limits = Histograms.defaultLimits();
    assertEquals(-Double.MAX_VALUE, limits[0]);
    assertEquals(Double.MAX_VALUE, limits[limits.length - 1]);
    assertEquals(0.0, limits[limits.length / 2]);
    assertEquals(1e-12, limits[limits.length / 2 + 1]);
    for (int i = 1; i < limits.length; i++) {
      assertTrue(limits[i - 1] < limits[i]);
    }
    float[] values = new float[1000];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) Math.sin(i) * 3;
    }
    HistogramProto h = Histograms.of(values);
    assertEquals(h.getBucketCount(), h.getBucketLimitCount());
    assertEquals(1000.0, h.getBucketList().stream().mapToDouble(Double::doubleValue).sum());
    // Values are counted below their bucket's limit, above the previous one.
    double previous = Double.NEGATIVE_INFINITY;
    int seen = 0;
    for (int b = 0; b < h.getBucketCount(); b++) {
      double lo = previous;
      double hi = h.getBucketLimit(b);
      long inBucket = 0;
      for (float v : values) {
        if (v >= lo && v < hi) {
          inBucket++;
        }
      }
      assertEquals((double) inBucket, h.getBucket(b), "bucket " + b);
      seen += inBucket;
      previous = hi;
    }
    assertEquals(1000, seen);
    // Runs of empty buckets are collapsed: never two empty buckets in a row.
    for (int b = 1; b < h.getBucketCount(); b++) {
      assertTrue(h.getBucket(b - 1) > 0 || h.getBucket(b) > 0, "bucket " + b);
    }
    HistogramProto empty = Histograms.of(new float[0]);
    assertEquals(0.0, empty.getNum());
    assertEquals(1, empty.getBucketCount());
    assertEquals(Double.MAX_VALUE, empty.getBucketLimit(0));
  }

  @Test
  void resumedRunMergesInStepOrderAndLaterFileWins() throws IOException {
    Path first;
    Path second;
    try (EventWriter writer = new EventWriter(dir)) {
      first = writer.file();
      for (long step = 0; step <= 4; step++) {
        writer.scalar("loss", step, 10 + step);
      }
      writer.scalar("only/first", 1, 1);
    }
    // The resumed run restarts from a checkpoint at step 3; same second, so a suffixed name.
    try (EventWriter writer = new EventWriter(dir)) {
      second = writer.file();
      for (long step = 6; step >= 3; step--) {
        writer.scalar("loss", step, 20 + step);
      }
    }
    assertNotEquals(first, second);
    assertEquals(List.of(first, second), EventReader.eventFiles(dir));
    Map<String, List<ScalarPoint>> scalars = EventReader.scalars(dir);
    List<ScalarPoint> loss = scalars.get("loss");
    assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L), loss.stream().map(ScalarPoint::step).toList());
    assertEquals(List.of(10.0, 11.0, 12.0, 23.0, 24.0, 25.0, 26.0),
        loss.stream().map(ScalarPoint::value).toList());
    assertEquals(1, scalars.get("only/first").size());
  }

  @Test
  void scalarsToleratesATruncatedTail() throws IOException {
    Path file;
    try (EventWriter writer = new EventWriter(dir)) {
      file = writer.file();
      writer.scalar("loss", 1, 1);
      writer.scalar("loss", 2, 2);
    }
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 3));  // as a killed writer
    assertThrows(TruncatedRecordException.class, () -> EventReader.read(file));
    assertEquals(2, EventReader.read(file, true).size());
    assertEquals(List.of(new ScalarPoint(1, EventReader.read(file, true).get(1).getWallTime(), 1.0)),
        EventReader.scalars(dir).get("loss"));
  }

  @Test
  void readsTensorFlowV2Scalars() throws IOException {
    Files.write(dir.resolve("events.out.tfevents.1599759586.tf-host"),
        TfRecordTest.tensorFlowEventFile());
    List<ScalarPoint> accuracy = EventReader.scalars(dir).get("accuracy");
    assertEquals(List.of(new ScalarPoint(77, 1599759606.859727, 0.99f)), accuracy);
    assertEquals(Map.of("accuracy", SummaryKind.SCALAR), EventReader.tags(dir));
  }

  @Test
  void concurrentWritesStayIntact() throws Exception {
    int threads = 4;
    int perThread = 250;
    Path file;
    try (EventWriter writer = new EventWriter(dir)) {
      file = writer.file();
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          String tag = "thread" + t;
          done.add(pool.submit(() -> {
            for (int step = 0; step < perThread; step++) {
              writer.scalar(tag, step, step);
            }
            return null;
          }));
        }
        for (Future<?> f : done) {
          f.get();
        }
      } finally {
        pool.shutdown();
      }
    }
    assertEquals(1 + threads * perThread, EventReader.read(file).size());
    Map<String, List<ScalarPoint>> scalars = EventReader.scalars(dir);
    assertEquals(threads, scalars.size());
    scalars.values().forEach(points -> assertEquals(perThread, points.size()));
  }

  @Test
  void flushesEveryNRecordsAndPeriodically() throws Exception {
    try (EventWriter writer = new EventWriter(dir.resolve("count"), Duration.ofHours(1), 3)) {
      writer.scalar("a", 1, 1);
      writer.scalar("a", 2, 2);
      assertEquals(1, EventReader.read(writer.file()).size());  // still buffered
      writer.scalar("a", 3, 3);
      assertEquals(4, EventReader.read(writer.file()).size());
    }
    try (EventWriter writer = new EventWriter(dir.resolve("timer"), Duration.ofMillis(20), 1000)) {
      writer.scalar("a", 1, 1);
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (EventReader.read(writer.file()).size() < 2 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertEquals(2, EventReader.read(writer.file()).size());
    }
  }

  @Test
  void writeAfterCloseFails() throws IOException {
    EventWriter writer = new EventWriter(dir);
    writer.close();
    writer.close();  // idempotent
    writer.flush();  // a no-op once closed
    IOException e = assertThrows(IOException.class, () -> writer.scalar("loss", 1, 1));
    assertTrue(e.getMessage().contains("after close"), e.getMessage());
  }

  private static BufferedImage decode(Summary.Image image) throws IOException {
    BufferedImage decoded =
        ImageIO.read(new ByteArrayInputStream(image.getEncodedImageString().toByteArray()));
    assertArrayEquals(new int[] {image.getWidth(), image.getHeight()},
        new int[] {decoded.getWidth(), decoded.getHeight()});
    return decoded;
  }
}
