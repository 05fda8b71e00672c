package org.diffusiondepot.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchLoaderTest {
  private static final Duration LIMIT = Duration.ofSeconds(10);

  private static int[] all(ImageDataset ds) {
    return IntStream.range(0, ds.size()).toArray();
  }

  private static List<Batch> take(BatchLoader loader, int count) {
    List<Batch> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(loader.next());
    }
    return out;
  }

  @Test
  void corruptFilesAreSkippedOnceWithOneWarningEach(@TempDir Path root) {
    Color[] colors = {Color.RED, Color.GREEN, Color.BLUE, Color.WHITE, Color.BLACK};
    for (int i = 0; i < colors.length; i++) {
      TestImages.writeSolid(root.resolve("good/" + i + ".png"), colors[i]);
    }
    List<Path> corrupt = TestImages.writeCorrupt(root.resolve("bad"));
    ImageFolderDataset ds = ImageFolderDataset.open(root, 4, 3);
    assertEquals(8, ds.size());
    List<String> warnings = new ArrayList<>();

    List<Batch> batches;
    try (BatchLoader loader = new BatchLoader(ds, all(ds), 4, true, 3, 0, 2, warnings::add)) {
      batches = assertTimeoutPreemptively(LIMIT, () -> take(loader, 10));
      assertEquals(3, loader.skippedCount());
    }

    assertEquals(3, warnings.size(), warnings.toString());
    for (Path bad : corrupt) {
      assertEquals(1, warnings.stream().filter(w -> w.contains(bad.toString())).count(), bad + " in " + warnings);
    }
    assertTrue(warnings.get(0).startsWith("skipping unreadable image"), warnings.get(0));
    // Every slot holds one of the solid good images: corner pixels equal the image's colour.
    for (Batch batch : batches) {
      assertEquals(4, batch.size());
      for (int slot = 0; slot < 4; slot++) {
        float[] first = Arrays.copyOfRange(batch.images(), slot * 48, slot * 48 + 3);
        assertTrue(Arrays.stream(colors).anyMatch(c -> Arrays.equals(first, rgb(c))), Arrays.toString(first));
      }
    }
  }

  private static float[] rgb(Color c) {
    return new float[] {c.getRed() / 127.5f - 1, c.getGreen() / 127.5f - 1, c.getBlue() / 127.5f - 1};
  }

  @Test
  void sameSeedAndStartGiveSameBatchesAndResumingContinuesTheSequence() {
    BuiltinShapes ds = new BuiltinShapes(16, 3, 30, 5);
    List<Batch> first;
    List<Batch> second;
    List<Batch> resumed;
    try (BatchLoader a = new BatchLoader(ds, all(ds), 8, true, 11, 0, 2, w -> {});
        BatchLoader b = new BatchLoader(ds, all(ds), 8, true, 11, 0, 1, w -> {});
        BatchLoader c = new BatchLoader(ds, all(ds), 8, true, 11, 4, 2, w -> {})) {
      first = take(a, 8);
      second = take(b, 8);
      resumed = take(c, 4);
    }
    for (int k = 0; k < 8; k++) {
      assertArrayEquals(first.get(k).images(), second.get(k).images(), "batch " + k);
      assertArrayEquals(first.get(k).labels(), second.get(k).labels(), "batch " + k);
    }
    for (int k = 0; k < 4; k++) {
      assertArrayEquals(first.get(4 + k).images(), resumed.get(k).images(), "resumed batch " + k);
      assertFalse(Arrays.equals(first.get(k).images(), resumed.get(k).images()), "batch " + k);
    }
  }

  @Test
  void shardsOfRowsTogetherAreTheWholeBatchAndAResumedShardContinuesIt() {
    BuiltinShapes ds = new BuiltinShapes(16, 3, 30, 5);
    int values = 16 * 16 * 3;
    List<Batch> whole;
    List<Batch> low;
    List<Batch> high;
    List<Batch> highResumed;
    try (BatchLoader a = new BatchLoader(ds, all(ds), 8, true, 11, 0, 2, w -> {});
        BatchLoader b = new BatchLoader(ds, all(ds), 8, new BatchLoader.Rows(0, 3), true, 11, 0, 2, w -> {});
        BatchLoader c = new BatchLoader(ds, all(ds), 8, new BatchLoader.Rows(3, 5), true, 11, 0, 1, w -> {});
        BatchLoader d = new BatchLoader(ds, all(ds), 8, new BatchLoader.Rows(3, 5), true, 11, 5, 2, w -> {})) {
      whole = take(a, 8);
      low = take(b, 8);
      high = take(c, 8);
      highResumed = take(d, 3);
    }
    for (int k = 0; k < 8; k++) {
      assertEquals(3, low.get(k).size());
      assertEquals(5, high.get(k).size());
      float[] joined = new float[8 * values];
      System.arraycopy(low.get(k).images(), 0, joined, 0, 3 * values);
      System.arraycopy(high.get(k).images(), 0, joined, 3 * values, 5 * values);
      assertArrayEquals(whole.get(k).images(), joined, "batch " + k);
      assertArrayEquals(Arrays.copyOfRange(whole.get(k).labels(), 3, 8), high.get(k).labels(), "batch " + k);
    }
    for (int k = 0; k < 3; k++) {
      assertArrayEquals(high.get(5 + k).images(), highResumed.get(k).images(), "resumed batch " + k);
    }
    assertThrows(IllegalArgumentException.class,
        () -> new BatchLoader(ds, all(ds), 8, new BatchLoader.Rows(6, 3), true, 11, 0, 1, w -> {}));
  }

  @Test
  void eachEpochVisitsEveryIndexOnce() {
    int n = 12;
    List<float[]> images = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      images.add(new float[] {i});
    }
    ImageDataset ds = TestImages.memory(1, 1, images, Set.of());
    int[] indices = IntStream.range(0, n).toArray();
    try (BatchLoader loader = new BatchLoader(ds, indices, 4, false, 1, 0, 2, w -> {})) {
      List<int[]> epochs = new ArrayList<>();
      for (int epoch = 0; epoch < 3; epoch++) {
        float[] seen = new float[n];
        for (int k = 0; k < 3; k++) {
          System.arraycopy(loader.next().images(), 0, seen, k * 4, 4);
        }
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
          order[i] = (int) seen[i];
        }
        assertArrayEquals(indices, IntStream.of(order).sorted().toArray());
        epochs.add(order);
      }
      assertFalse(Arrays.equals(epochs.get(0), epochs.get(1)), "epochs should be shuffled differently");
    }
  }

  @Test
  void flipsHalfTheTimeOnlyWhenEnabled() {
    // 2x2 grey image: left column -1, right column +1.
    float[] asymmetric = {-1, 1, -1, 1};
    ImageDataset ds = TestImages.memory(2, 1, List.of(asymmetric), Set.of());
    int[] flipped = new int[2];
    for (boolean enabled : new boolean[] {false, true}) {
      try (BatchLoader loader = new BatchLoader(ds, new int[] {0}, 50, enabled, 9, 0, 2, w -> {})) {
        float[] images = loader.next().images();
        for (int slot = 0; slot < 50; slot++) {
          float[] img = Arrays.copyOfRange(images, slot * 4, slot * 4 + 4);
          boolean isFlipped = Arrays.equals(img, new float[] {1, -1, 1, -1});
          assertTrue(isFlipped || Arrays.equals(img, asymmetric));
          flipped[enabled ? 1 : 0] += isFlipped ? 1 : 0;
        }
      }
    }
    assertEquals(0, flipped[0]);
    assertTrue(flipped[1] > 10 && flipped[1] < 40, "flipped " + flipped[1] + " of 50");
  }

  @Test
  void everyImageFailingIsAnErrorNotAHang() {
    ImageDataset ds = TestImages.memory(2, 1, List.of(new float[4], new float[4], new float[4]), Set.of(0, 1, 2));
    List<String> warnings = new ArrayList<>();
    try (BatchLoader loader = new BatchLoader(ds, all(ds), 2, false, 1, 0, 2, warnings::add)) {
      DataException e = assertTimeoutPreemptively(LIMIT, () -> assertThrows(DataException.class, loader::next));
      assertTrue(e.getMessage().contains("could be decoded"), e.getMessage());
      assertEquals(3, warnings.size());
      assertThrows(DataException.class, loader::next);
    }
  }

  @Test
  void closeStopsAllThreadsPromptly() {
    BuiltinShapes ds = new BuiltinShapes(16, 3, 100, 1);
    BatchLoader loader = new BatchLoader(ds, all(ds), 16, true, 1, 0, 2, w -> {});
    loader.next();
    assertTimeoutPreemptively(Duration.ofSeconds(5), loader::close);
    // the pool reports termination when its last worker has finished, a moment before that thread exits
    long deadline = System.nanoTime() + Duration.ofSeconds(1).toNanos();
    while (loaderThreadAlive() && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertTrue(!loaderThreadAlive(), "a loader thread survived close()");
    assertThrows(IllegalStateException.class, loader::next);
  }

  @Test
  void loadReturnsItemsInOrderWithoutFlipsAndShortensAtTheEnd() throws Exception {
    BuiltinShapes ds = new BuiltinShapes(8, 3, 10, 2);
    int[] indices = {9, 3, 5};
    Batch batch = BatchLoader.load(ds, indices, 1, 5);
    assertEquals(2, batch.size());
    assertArrayEquals(ds.get(3).pixels(), Arrays.copyOfRange(batch.images(), 0, 8 * 8 * 3));
    assertArrayEquals(new int[] {0, 2}, batch.labels());
  }

  private static boolean loaderThreadAlive() {
    return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.isAlive() && t.getName().startsWith("batch-loader"));
  }
}
