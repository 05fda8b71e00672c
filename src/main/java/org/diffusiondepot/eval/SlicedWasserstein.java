package org.diffusiondepot.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * Sliced Wasserstein distance between two image sets on local patches, after Karras, Aila, Laine
 * and Lehtinen 2018 (progressive GAN, {@code metrics/sliced_wasserstein.py}):
 * <ol>
 *   <li>each image is split into a Laplacian pyramid with one level per side of 16 px and more
 *       (32x32 images: a 32 px band-pass level and the 16 px blurred image; smaller images: the
 *       image alone);
 *   <li>from every level of every image, {@code patchesPerImage} random 7x7 patches (wholly inside)
 *       become descriptors of 7 * 7 * channels values;
 *   <li>descriptors are normalised per channel to zero mean and unit variance over the set;
 *   <li>descriptors are projected on {@code directions} random unit vectors, and the 1-D
 *       Wasserstein-1 distances between the two sets' projections are averaged;
 *   <li>the result is multiplied by 1000, as in the paper's tables ("SWD x 1e3"), per level and
 *       averaged over levels.
 * </ol>
 * Defaults are theirs: 128 patches per image, 512 directions (4 repeats of 128). Unlike their code,
 * which reseeds nothing, patch positions and directions come from a fixed seed, so repeated
 * evaluations agree and identical sets give exactly 0. Images are HWC floats in [-1, 1]; the
 * value range does not matter since descriptors are normalised.
 *
 * <p>With {@link Normalization#PER_SET} (theirs), each set is normalised by its own statistics, so
 * the metric compares structure and is blind to a global per-channel shift or contrast change (a
 * colour cast); {@link Normalization#REFERENCE} normalises both sets with the first set's
 * statistics and does see it.
 */
public final class SlicedWasserstein {
  /** Whose per-channel mean and standard deviation normalise the descriptors. */
  public enum Normalization {
    /** Each set its own, as in Karras et al. */
    PER_SET,
    /** Both with the first (reference) set's, so global colour shifts count. */
    REFERENCE
  }

  /** Distances x 1e3, one per pyramid level (sides in {@code levelSides}), and their mean. */
  public record Result(int[] levelSides, double[] perLevel, double average) {}

  public static final int DEFAULT_PATCH_SIZE = 7;
  public static final int DEFAULT_PATCHES_PER_IMAGE = 128;
  public static final int DEFAULT_DIRECTIONS = 512;
  private static final int MIN_LEVEL_SIDE = 16;
  private static final int DIRECTION_CHUNK = 128;
  private static final int PROJECTION_BLOCK = 256;
  private static final double SCALE = 1e3;

  private final int patchSize;
  private final int patchesPerImage;
  private final int directions;
  private final long seed;
  private final Normalization normalization;

  public SlicedWasserstein(int patchSize, int patchesPerImage, int directions, long seed,
      Normalization normalization) {
    if (patchSize < 1 || patchSize % 2 == 0 || patchesPerImage < 1 || directions < 1) {
      throw new IllegalArgumentException("need an odd patch size and positive patch and direction counts, got "
          + patchSize + ", " + patchesPerImage + ", " + directions);
    }
    this.patchSize = patchSize;
    this.patchesPerImage = patchesPerImage;
    this.directions = directions;
    this.seed = seed;
    this.normalization = normalization;
  }

  /** Karras et al.'s settings: 7x7 patches, 128 per image, 512 directions, per-set normalisation, seed 0. */
  public static SlicedWasserstein standard() {
    return new SlicedWasserstein(DEFAULT_PATCH_SIZE, DEFAULT_PATCHES_PER_IMAGE, DEFAULT_DIRECTIONS, 0,
        Normalization.PER_SET);
  }

  /** The level average of {@link #compute}: SWD x 1e3. */
  public double distance(float[] imagesA, int countA, float[] imagesB, int countB, int size, int channels) {
    return compute(imagesA, countA, imagesB, countB, size, channels).average();
  }

  /**
   * @param imagesA reference set, NHWC in [-1, 1], {@code countA} images of size x size x channels
   * @param imagesB set to compare, same layout; the counts may differ
   */
  public Result compute(float[] imagesA, int countA, float[] imagesB, int countB, int size, int channels) {
    return compute(imagesA, countA, imagesB, countB, null, size, channels);
  }

  /**
   * The distance inside regions, e.g. the holes of inpaintings: as {@link #compute}, but every patch
   * is centred inside its image's region, {@code masks[i]} (size * size values, above 0.5 inside),
   * at every pyramid level (a level's pixel is inside when the full-size pixel under its centre is).
   * Both sets hold the same {@code count} images with the same masks, so both draw patches at the
   * same places; an image whose region has no patch centre at some level gives no patch there,
   * and a level without any patch is NaN (as then the average).
   *
   * @param imagesA reference set (the true images), NHWC in [-1, 1]
   * @param imagesB set to compare (the fills)
   */
  public Result computeInside(float[] imagesA, float[] imagesB, float[] masks, int count, int size, int channels) {
    if (masks.length != (long) count * size * size) {
      throw new IllegalArgumentException(masks.length + " mask values for " + count + " images of " + size + "x"
          + size);
    }
    return compute(imagesA, count, imagesB, count, masks, size, channels);
  }

  private Result compute(float[] imagesA, int countA, float[] imagesB, int countB, float[] masks, int size,
      int channels) {
    checkImages(imagesA, countA, size, channels, "first");
    checkImages(imagesB, countB, size, channels, "second");
    if (size < patchSize) {
      throw new IllegalArgumentException("images of " + size + " px are smaller than the " + patchSize + " px patches");
    }
    int[] sides = levelSides(size, patchSize);
    float[][][] pyramidsA = pyramids(imagesA, countA, size, channels, sides);
    float[][][] pyramidsB = pyramids(imagesB, countB, size, channels, sides);
    double[] perLevel = new double[sides.length];
    int dimension = patchSize * patchSize * channels;
    for (int level = 0; level < sides.length; level++) {
      int[][] centresA = centres(masks, countA, size, sides[level]);
      int[][] centresB = centres(masks, countB, size, sides[level]);
      // Same seed for both sets: identical sets draw identical patches.
      float[] a = descriptors(pyramidsA, level, sides[level], channels, centresA, new Random(mix(seed, level, 1)));
      float[] b = descriptors(pyramidsB, level, sides[level], channels, centresB, new Random(mix(seed, level, 1)));
      if (a.length == 0) {
        perLevel[level] = Double.NaN;
        continue;
      }
      double[][] statsA = channelStats(a, channels);
      normalize(a, channels, statsA);
      normalize(b, channels, normalization == Normalization.PER_SET ? channelStats(b, channels) : statsA);
      float[][] dirs = randomDirections(dimension, new Random(mix(seed, level, 2)));
      perLevel[level] = SCALE * meanProjectedDistance(a, b, dimension, dirs);
    }
    return new Result(sides, perLevel, Arrays.stream(perLevel).average().orElse(0));
  }

  /** size, size / 2, ... while at least 16 px (and a patch fits); at least the image itself. */
  static int[] levelSides(int size, int patchSize) {
    List<Integer> sides = new ArrayList<>();
    sides.add(size);
    int side = size;
    while (side % 2 == 0 && side / 2 >= MIN_LEVEL_SIDE && side / 2 >= patchSize) {
      side /= 2;
      sides.add(side);
    }
    return sides.stream().mapToInt(Integer::intValue).toArray();
  }

  private static float[][][] pyramids(float[] images, int count, int size, int channels, int[] sides) {
    int values = size * size * channels;
    float[][][] out = new float[count][][];
    IntStream.range(0, count).parallel().forEach(i -> out[i] = LaplacianPyramid.build(
        Arrays.copyOfRange(images, i * values, (i + 1) * values), size, channels, sides));
    return out;
  }

  /**
   * Per image, the top-left corners (y * side + x) of the patches of a level whose centre lies in
   * the image's region; null without masks (every corner allowed).
   */
  private int[][] centres(float[] masks, int count, int size, int side) {
    if (masks == null) {
      return null;
    }
    int half = patchSize / 2;
    int positions = side - 2 * half;
    int[][] out = new int[count][];
    for (int i = 0; i < count; i++) {
      int[] corners = new int[positions * positions];
      int n = 0;
      for (int y0 = 0; y0 < positions; y0++) {
        for (int x0 = 0; x0 < positions; x0++) {
          int fy = (int) (((y0 + half) + 0.5) * size / side);
          int fx = (int) (((x0 + half) + 0.5) * size / side);
          if (masks[(i * size + fy) * size + fx] > 0.5f) {
            corners[n++] = y0 * side + x0;
          }
        }
      }
      out[i] = Arrays.copyOf(corners, n);
    }
    return out;
  }

  /**
   * patchesPerImage patches per image of one level, flattened: [patch][y][x][c]; anywhere, or at
   * the image's allowed corners when {@code corners} is not null.
   */
  private float[] descriptors(float[][][] pyramids, int level, int side, int channels, int[][] corners,
      Random random) {
    int half = patchSize / 2;
    int positions = side - 2 * half;
    int dimension = patchSize * patchSize * channels;
    int images = 0;
    for (int i = 0; i < pyramids.length; i++) {
      images += corners == null || corners[i].length > 0 ? 1 : 0;
    }
    float[] out = new float[images * patchesPerImage * dimension];
    int at = 0;
    for (int i = 0; i < pyramids.length; i++) {
      if (corners != null && corners[i].length == 0) {
        continue;
      }
      float[] image = pyramids[i][level];
      for (int p = 0; p < patchesPerImage; p++) {
        int y0;
        int x0;
        if (corners == null) {
          y0 = random.nextInt(positions);
          x0 = random.nextInt(positions);
        } else {
          int corner = corners[i][random.nextInt(corners[i].length)];
          y0 = corner / side;
          x0 = corner % side;
        }
        for (int dy = 0; dy < patchSize; dy++) {
          System.arraycopy(image, ((y0 + dy) * side + x0) * channels, out, at, patchSize * channels);
          at += patchSize * channels;
        }
      }
    }
    return out;
  }

  /** Per channel {mean, population std} over every value of every descriptor. */
  private static double[][] channelStats(float[] descriptors, int channels) {
    double[] sum = new double[channels];
    double[] sumSquares = new double[channels];
    for (int i = 0; i < descriptors.length; i++) {
      sum[i % channels] += descriptors[i];
    }
    long perChannel = descriptors.length / channels;
    double[] mean = new double[channels];
    for (int c = 0; c < channels; c++) {
      mean[c] = sum[c] / perChannel;
    }
    for (int i = 0; i < descriptors.length; i++) {
      double d = descriptors[i] - mean[i % channels];
      sumSquares[i % channels] += d * d;
    }
    double[] std = new double[channels];
    for (int c = 0; c < channels; c++) {
      std[c] = Math.sqrt(sumSquares[c] / perChannel);
    }
    return new double[][] {mean, std};
  }

  private static void normalize(float[] descriptors, int channels, double[][] stats) {
    for (int i = 0; i < descriptors.length; i++) {
      int c = i % channels;
      // A flat channel (std 0) would divide by zero: it is only centred.
      double std = stats[1][c] > 0 ? stats[1][c] : 1;
      descriptors[i] = (float) ((descriptors[i] - stats[0][c]) / std);
    }
  }

  /** Unit Gaussian directions, stored transposed: dirs[component][direction]. */
  private float[][] randomDirections(int dimension, Random random) {
    double[][] v = new double[directions][dimension];
    for (double[] dir : v) {
      double norm = 0;
      for (int c = 0; c < dimension; c++) {
        dir[c] = random.nextGaussian();
        norm += dir[c] * dir[c];
      }
      norm = Math.sqrt(norm);
      for (int c = 0; c < dimension; c++) {
        dir[c] /= norm;
      }
    }
    float[][] t = new float[dimension][directions];
    for (int k = 0; k < directions; k++) {
      for (int c = 0; c < dimension; c++) {
        t[c][k] = (float) v[k][c];
      }
    }
    return t;
  }

  /** Mean over directions of W1(projections of a, projections of b), in chunks of directions. */
  private static double meanProjectedDistance(float[] a, float[] b, int dimension, float[][] dirs) {
    int total = dirs[0].length;
    double sum = 0;
    for (int k0 = 0; k0 < total; k0 += DIRECTION_CHUNK) {
      int k1 = Math.min(total, k0 + DIRECTION_CHUNK);
      float[][] projA = sortedProjections(a, dimension, dirs, k0, k1);
      float[][] projB = sortedProjections(b, dimension, dirs, k0, k1);
      sum += IntStream.range(0, k1 - k0).parallel().mapToDouble(k -> wasserstein1(projA[k], projB[k])).sum();
    }
    return sum / total;
  }

  /** For directions k0..k1-1: the projections of every descriptor, sorted, one array per direction. */
  private static float[][] sortedProjections(float[] descriptors, int dimension, float[][] dirs, int k0, int k1) {
    int count = descriptors.length / dimension;
    int width = k1 - k0;
    // A contiguous copy of the chunk: the inner loop below then runs at full vector speed.
    float[][] chunk = new float[dimension][width];
    for (int c = 0; c < dimension; c++) {
      System.arraycopy(dirs[c], k0, chunk[c], 0, width);
    }
    float[][] out = new float[width][count];
    int blocks = (count + PROJECTION_BLOCK - 1) / PROJECTION_BLOCK;
    IntStream.range(0, blocks).parallel().forEach(block -> {
      float[] row = new float[width];
      for (int i = block * PROJECTION_BLOCK; i < Math.min(count, (block + 1) * PROJECTION_BLOCK); i++) {
        Arrays.fill(row, 0f);
        // Sum over components of component * direction row: vectorizable along directions.
        for (int c = 0; c < dimension; c++) {
          float v = descriptors[i * dimension + c];
          float[] dir = chunk[c];
          for (int k = 0; k < width; k++) {
            row[k] += v * dir[k];
          }
        }
        for (int k = 0; k < width; k++) {
          out[k][i] = row[k];
        }
      }
    });
    IntStream.range(0, width).parallel().forEach(k -> FloatRadixSort.sort(out[k]));
    return out;
  }

  /**
   * Wasserstein-1 distance between two empirical distributions given as sorted samples: the
   * integral over t in (0, 1) of |Fa^-1(t) - Fb^-1(t)|; the mean of |a_i - b_i| when sizes agree.
   */
  static double wasserstein1(float[] a, float[] b) {
    if (a.length == b.length) {
      double s = 0;
      for (int i = 0; i < a.length; i++) {
        s += Math.abs(a[i] - b[i]);
      }
      return s / a.length;
    }
    double s = 0;
    int i = 0;
    int j = 0;
    double t = 0;
    while (i < a.length && j < b.length) {
      double nextA = (i + 1.0) / a.length;
      double nextB = (j + 1.0) / b.length;
      double next = Math.min(nextA, nextB);
      s += (next - t) * Math.abs(a[i] - b[j]);
      t = next;
      if (nextA <= next) {
        i++;
      }
      if (nextB <= next) {
        j++;
      }
    }
    return s;
  }

  private static long mix(long seed, int level, int purpose) {
    return seed * 0x9E3779B97F4A7C15L + level * 1_000_003L + purpose;
  }

  private static void checkImages(float[] images, int count, int size, int channels, String which) {
    if (count < 1 || size < 1 || channels < 1) {
      throw new IllegalArgumentException("the " + which + " set needs images with positive size and channels, got "
          + count + " images of " + size + "x" + size + "x" + channels);
    }
    if (images.length != (long) count * size * size * channels) {
      throw new IllegalArgumentException("the " + which + " set has " + images.length + " values, expected " + count
          + " x " + size + "x" + size + "x" + channels);
    }
  }
}
