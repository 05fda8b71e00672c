package org.diffusiondepot.eval;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.diffusiondepot.image.Pixels;
import org.diffusiondepot.runtime.SessionConfigs;
import org.diffusiondepot.runtime.Tensors;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.types.TFloat32;

/**
 * Inception-v3 pool_3 features (2048 per image) from the frozen graph that TensorFlow's FID code
 * uses: {@code classify_image_graph_def.pb} of inception-2015-12-05.tgz, read from a path the user
 * gives (nothing is downloaded).
 *
 * <p>Fed exactly as TTUR's fid.py feeds it: a batch [N, H, W, 3] of RGB values in [0, 255] into
 * the tensor {@code ExpandDims:0}, which in that graph follows the JPEG decoder and precedes the
 * graph's own bilinear resize to 299x299 and its scaling to [-1, 1]; {@code pool_3:0} then holds
 * [N, 1, 1, 2048]. fid.py only patches the Python-side static shapes so that a batch larger than
 * 1 may be fed; the C API behind TensorFlow Java does not check them. Images therefore go in at
 * their own size (resizing them here first would change the numbers), quantised to 8 bits as if
 * they had been saved as PNG and read back, which is what fid.py sees; grey images are repeated
 * into three channels.
 */
public final class InceptionFeatures implements AutoCloseable {
  public static final String GRAPH_FILE = "classify_image_graph_def.pb";
  public static final String DOWNLOAD_URL = "http://download.tensorflow.org/models/image/imagenet/inception-2015-12-05.tgz";
  /** The op whose output 0 takes the batch, and the op whose output 0 is the feature tensor. */
  public static final String INPUT_OP = "ExpandDims";
  public static final String OUTPUT_OP = "pool_3";
  /** Images per run, as fid.py's default. */
  public static final int DEFAULT_BATCH = 50;

  private final Graph graph;
  private final Session session;
  private final int batchSize;
  private final int dimension;

  private InceptionFeatures(Graph graph, int batchSize, int dimension) {
    this.graph = graph;
    this.session = new Session(graph, SessionConfigs.cpu());
    this.batchSize = batchSize;
    this.dimension = dimension;
  }

  /** The line printed when FID/KID are skipped: where to get the graph, and what is measured anyway. */
  public static String skippedNote() {
    return "FID/KID skipped: no --inception graph (" + GRAPH_FILE + ", from " + DOWNLOAD_URL
        + "); SWD, PSNR/SSIM, the per-timestep loss and per-class accuracy do not need it";
  }

  /** Fails at once, before minutes of sampling, when a given graph path holds no graph. */
  public static void requireGraph(Path path) {
    Path file = graphFile(path);
    if (!Files.isRegularFile(file)) {
      throw new MissingInceptionGraphException(file);
    }
  }

  /** The graph file: {@code path} itself, or {@value #GRAPH_FILE} inside it if it is a directory. */
  public static Path graphFile(Path path) {
    return Files.isDirectory(path) ? path.resolve(GRAPH_FILE) : path;
  }

  public static InceptionFeatures load(Path path) throws IOException {
    return load(path, DEFAULT_BATCH);
  }

  /**
   * @param path the graph file, or a directory holding {@value #GRAPH_FILE}
   * @throws MissingInceptionGraphException if there is no such file (its message says where to get it)
   * @throws IOException if the file is not a GraphDef, or not one with the expected ops
   */
  public static InceptionFeatures load(Path path, int batchSize) throws IOException {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
    }
    Path file = graphFile(path);
    if (!Files.isRegularFile(file)) {
      throw new MissingInceptionGraphException(file);
    }
    GraphDef def;
    try {
      CodedInputStream in = CodedInputStream.newInstance(Files.readAllBytes(file));
      // The real graph is ~92 MB; do not let a smaller default limit refuse it.
      in.setSizeLimit(Integer.MAX_VALUE);
      def = GraphDef.parseFrom(in);
    } catch (InvalidProtocolBufferException e) {
      throw new IOException(file + " is not a TensorFlow GraphDef (expected " + GRAPH_FILE + " from "
          + DOWNLOAD_URL + "): " + e.getMessage(), e);
    }
    Graph graph = new Graph();
    try {
      graph.importGraphDef(def);
      GraphOperation input = graph.operation(INPUT_OP);
      GraphOperation output = graph.operation(OUTPUT_OP);
      if (input == null || output == null) {
        throw new IOException(file + " has no '" + (input == null ? INPUT_OP : OUTPUT_OP) + "' op: is it "
            + GRAPH_FILE + " from " + DOWNLOAD_URL + "?");
      }
      Shape features = output.output(0).shape();
      if (features.numDimensions() != 4 || features.get(3) <= 0) {
        throw new IOException(file + ": '" + OUTPUT_OP + "' should give [N, 1, 1, D], its shape is " + features);
      }
      return new InceptionFeatures(graph, batchSize, (int) features.get(3));
    } catch (IOException | RuntimeException | Error e) {
      graph.close();
      if (e instanceof IllegalArgumentException) {
        throw new IOException("cannot import " + file + ": " + e.getMessage(), e);
      }
      throw e;
    }
  }

  /** Feature length (2048 for the real graph). */
  public int dimension() {
    return dimension;
  }

  /**
   * pool_3 features of {@code count} images (NHWC, size x size x channels, values in [-1, 1]),
   * one row per image, in order.
   */
  public double[][] features(float[] images, int count, int size, int channels) {
    if (channels != 1 && channels != 3) {
      throw new IllegalArgumentException("Inception takes grey or RGB images, got " + channels + " channels");
    }
    int values = size * size * channels;
    if (count < 0 || images.length != (long) count * values) {
      throw new IllegalArgumentException(images.length + " values are not " + count + " images of " + size + "x"
          + size + "x" + channels);
    }
    double[][] out = new double[count][];
    for (int from = 0; from < count; from += batchSize) {
      int n = Math.min(batchSize, count - from);
      float[] rgb = toRgb255(images, from, n, size, channels);
      try (TFloat32 batch = Tensors.of(rgb, n, size, size, 3);
          Result r = session.runner().feed(INPUT_OP, 0, batch).fetch(OUTPUT_OP, 0).run()) {
        TFloat32 pooled = (TFloat32) r.get(0);
        if (pooled.size() != (long) n * dimension) {
          throw new IllegalStateException("'" + OUTPUT_OP + "' gave shape " + pooled.shape() + " for " + n
              + " images, expected [" + n + ", 1, 1, " + dimension + "]");
        }
        float[] flat = Tensors.floats(pooled);
        for (int i = 0; i < n; i++) {
          double[] row = new double[dimension];
          for (int j = 0; j < dimension; j++) {
            row[j] = flat[i * dimension + j];
          }
          out[from + i] = row;
        }
      }
    }
    return out;
  }

  /** [-1, 1] to whole numbers in [0, 255] (8-bit, as a saved PNG), grey repeated to RGB. */
  private static float[] toRgb255(float[] images, int from, int n, int size, int channels) {
    int pixels = size * size;
    float[] out = new float[n * pixels * 3];
    int base = from * pixels * channels;
    for (int p = 0; p < n * pixels; p++) {
      for (int c = 0; c < 3; c++) {
        out[p * 3 + c] = Pixels.toByte(images[base + p * channels + (channels == 3 ? c : 0)]);
      }
    }
    return out;
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }
}
