package org.diffusiondepot.firststage;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.diffusiondepot.config.ConfigException;
import org.diffusiondepot.data.Batch;
import org.diffusiondepot.data.BatchLoader;
import org.diffusiondepot.data.ImageDataset;
import org.diffusiondepot.runtime.Tensors;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.types.TFloat32;

/**
 * Rombach et al.'s scale factor: 1 / std of the quantised latents over training images, so that
 * the latents a diffusion model sees have about unit variance. Stored in
 * {@code RUN_DIR/latent_scale.txt} (one number); z for diffusion = scale * encoder output.
 */
public final class LatentScale {
  public static final String FILE = "latent_scale.txt";
  /** How many batches of training images the measurement averages over. */
  static final int BATCHES = 4;

  private LatentScale() {}

  /**
   * Measures the scale on the first {@code BATCHES * batchSize} images of {@code indices} (in
   * order, not flipped), with the session's current weights.
   */
  public static double measure(Session session, FirstStageTrainingGraph graph, ImageDataset dataset, int[] indices,
      int batchSize) {
    double sum = 0;
    double sumSquares = 0;
    long n = 0;
    int size = dataset.resolution();
    for (int b = 0; b < BATCHES && b * batchSize < indices.length; b++) {
      Batch batch = BatchLoader.load(dataset, indices, b * batchSize, batchSize);
      try (TFloat32 x = Tensors.of(batch.images(), batch.size(), size, size, batch.channels());
          Result r = graph.evaluate(session, x)) {
        for (float v : Tensors.floats((TFloat32) r.get(2))) {
          sum += v;
          sumSquares += (double) v * v;
          n++;
        }
      }
    }
    double mean = sum / n;
    double std = Math.sqrt(Math.max(0, sumSquares / n - mean * mean) * n / Math.max(1, n - 1));
    if (!(std > 0) || !Double.isFinite(std)) {
      throw new IllegalStateException("latents have standard deviation " + std + "; cannot scale them");
    }
    return 1.0 / std;
  }

  public static void write(Path runDir, double scale) throws IOException {
    Path tmp = runDir.resolve(".tmp-" + FILE);
    Files.writeString(tmp, scale + "\n", StandardCharsets.UTF_8);
    Files.move(tmp, runDir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  public static boolean exists(Path runDir) {
    return Files.isRegularFile(runDir.resolve(FILE));
  }

  public static double read(Path runDir) throws IOException {
    Path file = runDir.resolve(FILE);
    if (!Files.isRegularFile(file)) {
      throw new ConfigException(runDir + " has no " + FILE + " (written when training stops); re-run the same "
          + "tools/depot train CONFIG --data DIR|builtin --out " + runDir + " to measure it");
    }
    String text = Files.readString(file, StandardCharsets.UTF_8).trim();
    try {
      double scale = Double.parseDouble(text);
      if (!(scale > 0) || !Double.isFinite(scale)) {
        throw new NumberFormatException("not a positive number");
      }
      return scale;
    } catch (NumberFormatException e) {
      throw new ConfigException(file + ": expected a positive number, got \"" + text + "\"");
    }
  }
}
