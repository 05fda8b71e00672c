package org.diffusiondepot.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import javax.imageio.ImageIO;
import org.diffusiondepot.data.BuiltinShapes;
import org.diffusiondepot.data.ImageFolderDataset;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reference folder's Inception features are computed once and reused, exactly, while the
 * images, their side and the graph are unchanged; any change computes them again.
 */
class ReferenceFeaturesTest {
  @TempDir Path dir;
  Path folder;
  Path graph;
  AtomicInteger computed = new AtomicInteger();
  final PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

  @BeforeEach
  void images() throws IOException {
    folder = Files.createDirectories(dir.resolve("real"));
    for (int i = 0; i < 3; i++) {
      BufferedImage image = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
      image.setRGB(i, i, 0xff0000);
      ImageIO.write(image, "png", folder.resolve(i + ".png").toFile());
    }
    graph = Files.writeString(dir.resolve(InceptionFeatures.GRAPH_FILE), "graph v1");
  }

  private Supplier<double[][]> features() {
    return () -> {
      int call = computed.incrementAndGet();
      return new double[][] {{call, 0.1f}, {2, 3}, {0.25f, -1}};  // float32 values, as the network gives
    };
  }

  private double[][] featuresOf(ImageFolderDataset dataset) throws IOException {
    return ReferenceFeatures.of(dataset, new int[] {0, 1, 2}, graph, features(), quiet);
  }

  @Test
  void theSecondEvaluationReadsTheCacheAndGetsTheSameFeatures() throws IOException {
    double[][] first = featuresOf(ImageFolderDataset.open(folder, 8, 3));
    double[][] second = featuresOf(ImageFolderDataset.open(folder, 8, 3));
    assertEquals(1, computed.get());
    for (int i = 0; i < first.length; i++) {
      assertArrayEquals(first[i], second[i], 0.0);
    }
    assertTrue(Files.exists(dir.resolve("real" + ReferenceFeatures.SUFFIX)), "cached next to the folder");
  }

  @Test
  void aChangedImageAnotherSideOrAnotherGraphComputesAgain() throws IOException {
    featuresOf(ImageFolderDataset.open(folder, 8, 3));
    Files.setLastModifiedTime(folder.resolve("1.png"), FileTime.fromMillis(1_000_000L));
    featuresOf(ImageFolderDataset.open(folder, 8, 3));
    assertEquals(2, computed.get(), "an image changed");
    featuresOf(ImageFolderDataset.open(folder, 16, 3));
    assertEquals(3, computed.get(), "resized to another side");
    Files.writeString(graph, "graph v2, longer");
    double[][] again = featuresOf(ImageFolderDataset.open(folder, 16, 3));
    assertEquals(4, computed.get(), "another Inception graph");
    assertEquals(4.0, again[0][0], "fresh features, not the stale cache");
  }

  @Test
  void generatedImagesAreNotCached() throws IOException {
    ReferenceFeatures.of(new BuiltinShapes(8, 3, 10, 0), new int[] {0, 1}, graph, features(), quiet);
    ReferenceFeatures.of(new BuiltinShapes(8, 3, 10, 0), new int[] {0, 1}, graph, features(), quiet);
    assertEquals(2, computed.get());
    try (var files = Files.list(dir)) {
      assertFalse(files.anyMatch(f -> f.toString().endsWith(ReferenceFeatures.SUFFIX)));
    }
  }
}
