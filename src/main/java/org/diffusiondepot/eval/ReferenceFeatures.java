package org.diffusiondepot.eval;

import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.function.Supplier;
import org.diffusiondepot.data.ImageDataset;
import org.diffusiondepot.data.ImageFolderDataset;

/**
 * Inception features of the reference images, cached next to their folder
 * ({@code FOLDER.depot-inception}) and reused while the images, the side they are resized to and the
 * Inception graph are unchanged. FID needs only their mean and covariance, KID the features
 * themselves, so the features are what is kept: 2048 floats per image (2 MB for 256 images), exactly
 * the float32 values the network returned.
 * The built-in shapes are generated, not read, and are not cached; a folder that cannot be
 * written next to is computed every time, with one note.
 */
final class ReferenceFeatures {
  static final String SUFFIX = ".depot-inception";

  private ReferenceFeatures() {}

  /**
   * @param dataset the images, a folder for the cache to apply
   * @param indices which of its images, in order
   * @param graph the Inception graph file
   * @param compute computes the features when the cache does not hold them
   */
  static double[][] of(ImageDataset dataset, int[] indices, Path graph, Supplier<double[][]> compute,
      PrintStream out) throws IOException {
    if (!(dataset instanceof ImageFolderDataset folder)) {
      return compute.get();
    }
    Path cache = cacheFile(folder.root());
    String key = key(folder, indices, graph);
    double[][] cached = read(cache, key);
    if (cached != null) {
      out.printf("reference Inception features of %d images from %s%n", cached.length, cache);
      return cached;
    }
    double[][] features = compute.get();
    try {
      write(cache, key, features);
    } catch (IOException e) {
      out.println("note: cannot cache the reference features next to " + folder.root() + " (" + e.getMessage()
          + "); they will be computed again next time");
    }
    return features;
  }

  static Path cacheFile(Path folder) {
    Path absolute = folder.toAbsolutePath().normalize();
    return absolute.resolveSibling(absolute.getFileName() + SUFFIX);
  }

  /** Which images (path below the root, size, modification time), at which side, through which graph. */
  static String key(ImageFolderDataset folder, int[] indices, Path graph) throws IOException {
    Hasher hasher = Hashing.sha256().newHasher();
    hasher.putInt(folder.resolution()).putInt(folder.channels()).putInt(indices.length);
    for (int index : indices) {
      Path file = Path.of(folder.describe(index));
      hasher.putString(folder.stableKey(index), StandardCharsets.UTF_8).putLong(Files.size(file))
          .putLong(Files.getLastModifiedTime(file).toMillis());
    }
    Path graphFile = InceptionFeatures.graphFile(graph);
    hasher.putLong(Files.size(graphFile)).putLong(Files.getLastModifiedTime(graphFile).toMillis());
    return hasher.hash().toString();
  }

  private static double[][] read(Path cache, String key) {
    if (!Files.isRegularFile(cache)) {
      return null;
    }
    try (InputStream in = Files.newInputStream(cache); DataInputStream data = new DataInputStream(
        new java.io.BufferedInputStream(in))) {
      if (!data.readUTF().equals(key)) {
        return null;
      }
      int count = data.readInt();
      int dimension = data.readInt();
      double[][] features = new double[count][dimension];
      for (double[] row : features) {
        for (int j = 0; j < dimension; j++) {
          row[j] = data.readFloat();
        }
      }
      return features;
    } catch (IOException e) {
      return null;  // a truncated or foreign file: compute again and overwrite it
    }
  }

  private static void write(Path cache, String key, double[][] features) throws IOException {
    Path tmp = cache.resolveSibling(cache.getFileName() + ".tmp");
    try (OutputStream os = Files.newOutputStream(tmp); DataOutputStream data = new DataOutputStream(
        new java.io.BufferedOutputStream(os))) {
      data.writeUTF(key);
      data.writeInt(features.length);
      data.writeInt(features.length == 0 ? 0 : features[0].length);
      for (double[] row : features) {
        for (double v : row) {
          data.writeFloat((float) v);
        }
      }
    }
    Files.move(tmp, cache, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
