package org.diffusiondepot.task;

import java.awt.image.BufferedImage;
import java.util.ArrayDeque;
import java.util.Random;
import org.diffusiondepot.image.Images;
import org.diffusiondepot.runtime.Seeds;

/**
 * Random inpainting masks for training (1 = missing, to be filled; 0 = known), in the style of
 * LaMa/Palette: axis-aligned boxes, free-form brush strokes, or both. The filled fraction always
 * lies in [minRatio, maxRatio]: shapes that would overshoot are shrunk or dropped, and if the
 * shapes fall short the mask is grown ring by ring around what is already there.
 */
public final class MaskGenerator {
  private static final int MAX_SHAPES = 64;
  private static final long SALT = 0x4d41534bL;

  private final int resolution;
  private final double minRatio;
  private final double maxRatio;
  private final int minCount;
  private final int maxCount;

  public MaskGenerator(int resolution, double minRatio, double maxRatio) {
    if (resolution < 1) {
      throw new IllegalArgumentException("resolution must be positive, got " + resolution);
    }
    if (!(0 <= minRatio && minRatio <= maxRatio && maxRatio <= 1)) {
      throw new IllegalArgumentException("mask ratios need 0 <= min <= max <= 1, got " + minRatio + ", " + maxRatio);
    }
    int pixels = resolution * resolution;
    this.resolution = resolution;
    this.minRatio = minRatio;
    this.maxRatio = maxRatio;
    this.minCount = (int) Math.ceil(minRatio * pixels - 1e-9);
    this.maxCount = (int) Math.floor(maxRatio * pixels + 1e-9);
    if (minCount > maxCount) {
      throw new IllegalArgumentException("no mask of " + resolution + "x" + resolution + " pixels has a filled "
          + "fraction in [" + minRatio + ", " + maxRatio + "]: widen the range");
    }
  }

  /** The mask for this seed, H*W values; the same seed always gives the same mask. */
  public float[] generate(long seed) {
    Random random = new Random(Seeds.mix(SALT, seed));
    Canvas canvas = new Canvas(resolution, maxCount);
    int target = minCount + random.nextInt(maxCount - minCount + 1);
    // 0: boxes only, 1: strokes only, 2: both.
    int kind = random.nextInt(3);
    for (int shapes = 0; shapes < MAX_SHAPES && canvas.count < target; shapes++) {
      boolean box = kind == 0 || (kind == 2 && random.nextBoolean());
      if (box) {
        addBox(canvas, random, target);
      } else {
        addStroke(canvas, random, target);
      }
    }
    canvas.growTo(minCount, random);
    float[] mask = new float[resolution * resolution];
    for (int i = 0; i < mask.length; i++) {
      mask[i] = canvas.filled[i] ? 1f : 0f;
    }
    return mask;
  }

  public double minRatio() {
    return minRatio;
  }

  public double maxRatio() {
    return maxRatio;
  }

  /** A box covering a random share of what is still missing, halved until it fits under the maximum. */
  private void addBox(Canvas canvas, Random random, int target) {
    // Not below (side/8)^2, so topping up a nearly finished mask does not leave single-pixel specks.
    double minArea = Math.max(1, Math.pow(resolution / 8.0, 2));
    double area = Math.max(minArea, (target - canvas.count) * (0.4 + 0.8 * random.nextDouble()));
    double aspect = Math.exp((random.nextDouble() - 0.5) * 2 * Math.log(3));
    for (int attempt = 0; attempt < 6; attempt++, area /= 2) {
      int w = clamp((int) Math.round(Math.sqrt(area * aspect)), 1, resolution);
      int h = clamp((int) Math.round(area / w), 1, resolution);
      int x0 = random.nextInt(resolution - w + 1);
      int y0 = random.nextInt(resolution - h + 1);
      boolean[] box = new boolean[canvas.filled.length];
      for (int y = y0; y < y0 + h; y++) {
        for (int x = x0; x < x0 + w; x++) {
          box[y * resolution + x] = true;
        }
      }
      if (canvas.tryAdd(box)) {
        return;
      }
    }
  }

  /**
   * A brush stroke: a random walk of thick segments with round joints and caps. Each segment is
   * added on its own, so a stroke that would overshoot simply ends early.
   */
  private void addStroke(Canvas canvas, Random random, int target) {
    double width = Math.max(1.0, resolution * (0.04 + 0.1 * random.nextDouble()));
    int vertices = 2 + random.nextInt(8);
    double x = random.nextDouble() * resolution;
    double y = random.nextDouble() * resolution;
    double angle = random.nextDouble() * 2 * Math.PI;
    for (int v = 0; v < vertices && canvas.count < target; v++) {
      angle += (random.nextDouble() - 0.5) * Math.PI * 0.8;
      double length = resolution * (0.1 + 0.25 * random.nextDouble());
      double nx = clamp(x + Math.cos(angle) * length, 0, resolution);
      double ny = clamp(y + Math.sin(angle) * length, 0, resolution);
      boolean[] segment = segment(x, y, nx, ny, width / 2);
      if (!canvas.tryAdd(segment)) {
        double thinner = Math.max(0.5, width / 4);
        if (!canvas.tryAdd(segment(x, y, nx, ny, thinner))) {
          return;
        }
      }
      x = nx;
      y = ny;
    }
  }

  /** Pixels whose centers lie within {@code radius} of the segment: a thick line with round caps. */
  private boolean[] segment(double x1, double y1, double x2, double y2, double radius) {
    boolean[] out = new boolean[resolution * resolution];
    int xMin = clamp((int) Math.floor(Math.min(x1, x2) - radius), 0, resolution - 1);
    int xMax = clamp((int) Math.ceil(Math.max(x1, x2) + radius), 0, resolution - 1);
    int yMin = clamp((int) Math.floor(Math.min(y1, y2) - radius), 0, resolution - 1);
    int yMax = clamp((int) Math.ceil(Math.max(y1, y2) + radius), 0, resolution - 1);
    double dx = x2 - x1;
    double dy = y2 - y1;
    double lengthSquared = dx * dx + dy * dy;
    for (int py = yMin; py <= yMax; py++) {
      for (int px = xMin; px <= xMax; px++) {
        double cx = px + 0.5;
        double cy = py + 0.5;
        double t = lengthSquared == 0 ? 0 : clamp(((cx - x1) * dx + (cy - y1) * dy) / lengthSquared, 0, 1);
        double ex = cx - (x1 + t * dx);
        double ey = cy - (y1 + t * dy);
        if (ex * ex + ey * ey <= radius * radius) {
          out[py * resolution + px] = true;
        }
      }
    }
    return out;
  }

  /**
   * A user-drawn mask: white (luma >= 0.5) means fill. Transparent pixels count as black (known),
   * since editors often export strokes on a transparent layer. Non-square masks are center-cropped
   * like {@link Images#fromImage}, so they stay aligned with the image they belong to, then
   * resized nearest-neighbour so the mask stays binary.
   */
  public static float[] fromImage(BufferedImage maskImage, int resolution) {
    if (resolution < 1) {
      throw new IllegalArgumentException("resolution must be positive, got " + resolution);
    }
    int side = Math.min(maskImage.getWidth(), maskImage.getHeight());
    int x0 = (maskImage.getWidth() - side) / 2;
    int y0 = (maskImage.getHeight() - side) / 2;
    // Luma via the grey conversion Images uses, so grey PNG masks are read without gamma surprises.
    float[] luma = Images.fromImage(maskImage.getSubimage(x0, y0, side, side), side, 1);
    boolean alpha = maskImage.getColorModel().hasAlpha();
    float[] mask = new float[resolution * resolution];
    for (int y = 0; y < resolution; y++) {
      int sy = (int) ((y + 0.5) * side / resolution);
      for (int x = 0; x < resolution; x++) {
        int sx = (int) ((x + 0.5) * side / resolution);
        double value = (luma[sy * side + sx] + 1.0) / 2.0;
        if (alpha) {
          value *= (maskImage.getRGB(x0 + sx, y0 + sy) >>> 24) / 255.0;
        }
        mask[y * resolution + x] = value >= 0.5 ? 1f : 0f;
      }
    }
    return mask;
  }

  private static int clamp(int v, int lo, int hi) {
    return Math.max(lo, Math.min(hi, v));
  }

  private static double clamp(double v, double lo, double hi) {
    return Math.max(lo, Math.min(hi, v));
  }

  /** The mask being built, which never holds more than {@code maxCount} pixels. */
  private static final class Canvas {
    final int resolution;
    final int maxCount;
    final boolean[] filled;
    int count;

    Canvas(int resolution, int maxCount) {
      this.resolution = resolution;
      this.maxCount = maxCount;
      this.filled = new boolean[resolution * resolution];
    }

    /** Adds the shape if the result stays within the maximum; otherwise leaves the mask as it was. */
    boolean tryAdd(boolean[] shape) {
      int added = 0;
      for (int i = 0; i < shape.length; i++) {
        if (shape[i] && !filled[i]) {
          added++;
        }
      }
      if (added == 0 || count + added > maxCount) {
        return false;
      }
      for (int i = 0; i < shape.length; i++) {
        filled[i] |= shape[i];
      }
      count += added;
      return true;
    }

    /**
     * Adds pixels one at a time in breadth-first order from the current mask (or from a random
     * pixel if it is empty) until {@code minCount} are filled; one at a time, so it cannot overshoot.
     */
    void growTo(int minCount, Random random) {
      if (count >= minCount) {
        return;
      }
      ArrayDeque<Integer> frontier = new ArrayDeque<>();
      boolean[] queued = filled.clone();
      for (int i = 0; i < filled.length; i++) {
        if (filled[i]) {
          frontier.add(i);
        }
      }
      if (frontier.isEmpty()) {
        int start = random.nextInt(filled.length);
        filled[start] = true;
        queued[start] = true;
        count++;
        frontier.add(start);
      }
      while (count < minCount && !frontier.isEmpty()) {
        int p = frontier.poll();
        int x = p % resolution;
        int y = p / resolution;
        int[] neighbours = {x > 0 ? p - 1 : -1, x < resolution - 1 ? p + 1 : -1, y > 0 ? p - resolution : -1,
            y < resolution - 1 ? p + resolution : -1};
        for (int q : neighbours) {
          if (q >= 0 && !queued[q] && count < minCount) {
            queued[q] = true;
            filled[q] = true;
            count++;
            frontier.add(q);
          }
        }
      }
    }
  }
}
