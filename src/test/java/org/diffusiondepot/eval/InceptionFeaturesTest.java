package org.diffusiondepot.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * The loading path of the real Inception graph (import, feed, fetch, reshape, batching), run on a
 * stand-in GraphDef with the same interface: a float input op "ExpandDims" taking [N, H, W, 3]
 * values in [0, 255], the graph's own bilinear resize to 299x299, and an average pool "pool_3"
 * giving [N, 1, 1, 2048]. In between, a 13x13 average pool and a 3x3 convolution with kernel
 * K[dy][dx][c][j] = (c + 1)(j + 1) / 1000 make the features of a flat image of 8-bit colour
 * (r, g, b) exactly 9 (j + 1) / 1000 (r + 2 g + 3 b).
 */
class InceptionFeaturesTest {
  private static final int DIM = 2048;
  @TempDir
  static Path dir;
  private static Path graphFile;

  @BeforeAll
  static void writeStandInGraph() throws IOException {
    float[] kernel = new float[3 * 3 * 3 * DIM];
    for (int p = 0; p < 9; p++) {
      for (int c = 0; c < 3; c++) {
        for (int j = 0; j < DIM; j++) {
          kernel[(p * 3 + c) * DIM + j] = (c + 1) * (j + 1) / 1000f;
        }
      }
    }
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> input = tf.withName(InceptionFeatures.INPUT_OP).placeholder(TFloat32.class,
          Placeholder.shape(Shape.of(-1, -1, -1, 3)));
      Operand<TFloat32> resized = tf.image.resizeBilinear(input, tf.constant(new int[] {299, 299}));
      Operand<TFloat32> small = tf.nn.avgPool(resized, List.of(1L, 13L, 13L, 1L), List.of(1L, 13L, 13L, 1L), "VALID");
      Operand<TFloat32> conv = tf.nn.conv2d(small,
          tf.constant(Shape.of(3, 3, 3, DIM), DataBuffers.of(kernel, true, false)), List.of(1L, 1L, 1L, 1L), "VALID");
      tf.withName(InceptionFeatures.OUTPUT_OP).nn.avgPool(conv, List.of(1L, 21L, 21L, 1L), List.of(1L, 1L, 1L, 1L),
          "VALID");
      graphFile = dir.resolve(InceptionFeatures.GRAPH_FILE);
      Files.write(graphFile, g.toGraphDef().toByteArray());
    }
  }

  /** Flat images of the given 8-bit colours, as [-1, 1] floats. */
  private static float[] flatImages(int[][] colours, int size, int channels) {
    float[] out = new float[colours.length * size * size * channels];
    for (int i = 0; i < colours.length; i++) {
      for (int p = 0; p < size * size; p++) {
        for (int c = 0; c < channels; c++) {
          out[(i * size * size + p) * channels + c] = colours[i][c] / 127.5f - 1f;
        }
      }
    }
    return out;
  }

  private static void assertFeatures(int[] rgb, double[] features) {
    assertEquals(DIM, features.length);
    double weighted = rgb[0] + 2.0 * rgb[1] + 3.0 * rgb[2];
    for (int j = 0; j < DIM; j += 97) {
      double expected = 9 * (j + 1) / 1000.0 * weighted;
      assertEquals(expected, features[j], 1e-4 * expected + 1e-4, "feature " + j);
    }
  }

  @Test
  void featuresComeOutInOrderAcrossBatches() throws IOException {
    int[][] colours = {{0, 0, 0}, {255, 255, 255}, {10, 200, 30}, {128, 64, 32}, {7, 7, 250}};
    // Batches of 2: the last one is partial.
    try (InceptionFeatures inception = InceptionFeatures.load(graphFile, 2)) {
      assertEquals(DIM, inception.dimension());
      double[][] features = inception.features(flatImages(colours, 16, 3), colours.length, 16, 3);
      assertEquals(colours.length, features.length);
      for (int i = 0; i < colours.length; i++) {
        assertFeatures(colours[i], features[i]);
      }
    }
  }

  @Test
  void greyImagesAreRepeatedIntoRgbAndADirectoryFindsTheFile() throws IOException {
    int[][] levels = {{40}, {200}};
    try (InceptionFeatures inception = InceptionFeatures.load(dir)) {
      double[][] features = inception.features(flatImages(levels, 8, 1), 2, 8, 1);
      for (int i = 0; i < 2; i++) {
        int v = levels[i][0];
        assertFeatures(new int[] {v, v, v}, features[i]);
      }
    }
  }

  @Test
  void missingGraphSaysWhereToGetItAndWhatStillRuns(@TempDir Path empty) {
    MissingInceptionGraphException e = assertThrows(MissingInceptionGraphException.class,
        () -> InceptionFeatures.load(empty));
    Path expected = empty.resolve(InceptionFeatures.GRAPH_FILE);
    assertEquals(expected, e.expected());
    String message = e.getMessage();
    assertTrue(message.contains(InceptionFeatures.DOWNLOAD_URL), message);
    assertTrue(message.contains("put the file at " + expected), message);
    assertTrue(message.contains("SWD, PSNR, SSIM and per-class accuracy still run"), message);
  }

  @Test
  void aFileThatIsNotTheGraphIsAClearError(@TempDir Path other) throws IOException {
    Path junk = other.resolve("junk.pb");
    Files.writeString(junk, "not a graph", StandardCharsets.UTF_8);
    IOException notProto = assertThrows(IOException.class, () -> InceptionFeatures.load(junk));
    assertTrue(notProto.getMessage().contains("not a TensorFlow GraphDef"), notProto.getMessage());
    Path emptyGraph = other.resolve("empty.pb");
    try (Graph g = new Graph()) {
      Ops.create(g).withName("something_else").constant(1f);
      Files.write(emptyGraph, g.toGraphDef().toByteArray());
    }
    IOException wrongGraph = assertThrows(IOException.class, () -> InceptionFeatures.load(emptyGraph));
    assertTrue(wrongGraph.getMessage().contains("no 'ExpandDims' op"), wrongGraph.getMessage());
  }
}
