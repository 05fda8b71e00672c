package org.diffusiondepot.data;

import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Random;
import org.diffusiondepot.image.Images;
import org.diffusiondepot.runtime.Seeds;

/**
 * The project's own data set, drawn on demand: one saturated circle, square or triangle on a muted
 * two-colour gradient. Variation is deliberately moderate (no texture, no clutter) so a small
 * diffusion model learns it in minutes and a person can judge the samples at 32x32. Image i is a
 * function of (seed, i) alone; its label is i % 3, so every prefix is balanced.
 */
public final class BuiltinShapes implements ImageDataset {
  private static final List<String> CLASSES = List.of("circle", "square", "triangle");
  private static final double MIN_EXTENT = 0.35;
  private static final double MAX_EXTENT = 0.65;
  /** Smallest luma difference between shape and background, so shapes stay visible in grey too. */
  private static final double MIN_LUMA_CONTRAST = 0.22;

  private final int resolution;
  private final int channels;
  private final int size;
  private final long seed;

  /** Everything random about one image, in units of the image side, independent of resolution. */
  private record Scene(Color top, Color bottom, int gradient, int shapeClass, double extent, double cx, double cy,
      double angle, Color fill) {}

  public BuiltinShapes(int resolution, int channels, int size, long seed) {
    Images.checkChannels(channels);
    if (resolution < 8) {
      // reached from a config: --data builtin with a data.resolution below 8
      throw new DataException("the built-in shapes (--data builtin) need data.resolution of at least 8, got "
          + resolution);
    }
    if (size < 0) {
      throw new IllegalArgumentException("size must not be negative, got " + size);
    }
    this.resolution = resolution;
    this.channels = channels;
    this.size = size;
    this.seed = seed;
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public int resolution() {
    return resolution;
  }

  @Override
  public int channels() {
    return channels;
  }

  @Override
  public List<String> classNames() {
    return CLASSES;
  }

  @Override
  public Example get(int index) {
    Scene scene = scene(index);
    BufferedImage img = new BufferedImage(resolution, resolution, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = antialiased(img);
    try {
      double r = resolution;
      float x1 = 0;
      float y1 = 0;
      // 0: vertical, 1: top-left to bottom-right, 2: top-right to bottom-left.
      float x2 = scene.gradient() == 0 ? 0 : (float) r;
      if (scene.gradient() == 2) {
        x1 = (float) r;
        x2 = 0;
      }
      g.setPaint(new GradientPaint(x1, y1, scene.top(), x2, (float) r, scene.bottom()));
      g.fill(new Rectangle2D.Double(0, 0, r, r));
      g.setPaint(scene.fill());
      g.fill(shape(scene));
    } finally {
      g.dispose();
    }
    return new Example(Images.fromImage(img, resolution, channels), scene.shapeClass());
  }

  /** Coverage of the shape alone (1 inside, 0 outside, fractional on edges): for tests and checks. */
  float[] shapeMask(int index) {
    Scene scene = scene(index);
    BufferedImage img = new BufferedImage(resolution, resolution, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = antialiased(img);
    try {
      g.setPaint(Color.WHITE);
      g.fill(shape(scene));
    } finally {
      g.dispose();
    }
    float[] grey = Images.fromImage(img, resolution, 1);
    for (int i = 0; i < grey.length; i++) {
      grey[i] = (grey[i] + 1f) / 2f;
    }
    return grey;
  }

  private static Graphics2D antialiased(BufferedImage img) {
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
    g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
    g.setRenderingHint(RenderingHints.KEY_COLOR_RENDERING, RenderingHints.VALUE_COLOR_RENDER_QUALITY);
    return g;
  }

  private Scene scene(int index) {
    if (index < 0 || index >= size) {
      throw new IndexOutOfBoundsException("index " + index + " outside 0.." + (size - 1));
    }
    Random random = new Random(Seeds.mix(seed, index));
    int shapeClass = index % CLASSES.size();
    float hue = random.nextFloat();
    float brightness = 0.25f + 0.45f * random.nextFloat();
    Color top = Color.getHSBColor(hue, 0.1f + 0.25f * random.nextFloat(), brightness);
    float brightness2 = clamp(brightness + (random.nextBoolean() ? 1 : -1) * (0.1f + 0.15f * random.nextFloat()),
        0.15f, 0.8f);
    Color bottom = Color.getHSBColor(hue + 0.3f * (random.nextFloat() - 0.5f), 0.1f + 0.25f * random.nextFloat(),
        brightness2);
    int gradient = random.nextInt(3);
    Color fill = null;
    for (int attempt = 0; attempt < 50 && fill == null; attempt++) {
      Color candidate = Color.getHSBColor(random.nextFloat(), 0.75f + 0.25f * random.nextFloat(),
          0.8f + 0.2f * random.nextFloat());
      if (contrasts(candidate, top, bottom)) {
        fill = candidate;
      }
    }
    if (fill == null) {
      // No saturated colour was far enough in luma from this background: white or black always is.
      fill = 1 - Math.max(luma(top), luma(bottom)) >= Math.min(luma(top), luma(bottom)) ? Color.WHITE : Color.BLACK;
    }
    double extent = MIN_EXTENT + (MAX_EXTENT - MIN_EXTENT) * random.nextDouble();
    // Squares repeat every 90 degrees and triangles every 120: no need to draw wider angles.
    double angle = switch (shapeClass) {
      case 1 -> random.nextDouble() * Math.PI / 2;
      case 2 -> random.nextDouble() * Math.PI * 2 / 3;
      default -> 0;
    };
    double u = random.nextDouble();
    double v = random.nextDouble();
    Rectangle2D bounds = unitShape(shapeClass, extent, angle).getBounds2D();
    double margin = 0.03;
    double cx = place(u, bounds.getMinX(), bounds.getMaxX(), margin);
    double cy = place(v, bounds.getMinY(), bounds.getMaxY(), margin);
    return new Scene(top, bottom, gradient, shapeClass, extent, cx, cy, angle, fill);
  }

  /** A center in [0, 1] that keeps the shape's bounds inside the image, or the middle if it cannot. */
  private static double place(double u, double min, double max, double margin) {
    double lo = margin - min;
    double hi = 1 - margin - max;
    return hi <= lo ? 0.5 : lo + u * (hi - lo);
  }

  private Shape shape(Scene scene) {
    AffineTransform toPixels = new AffineTransform();
    toPixels.scale(resolution, resolution);
    toPixels.translate(scene.cx(), scene.cy());
    return toPixels.createTransformedShape(unitShape(scene.shapeClass(), scene.extent(), scene.angle()));
  }

  /**
   * The shape centered on the origin, in units of the image side. The extent is the circle's
   * diameter and the square's side; the triangle's side is a little longer so its area is not
   * much smaller than the others'.
   */
  private static Shape unitShape(int shapeClass, double extent, double angle) {
    Shape base = switch (shapeClass) {
      case 0 -> new Ellipse2D.Double(-extent / 2, -extent / 2, extent, extent);
      case 1 -> new Rectangle2D.Double(-extent / 2, -extent / 2, extent, extent);
      default -> {
        double circumradius = 1.15 * extent / Math.sqrt(3);
        Path2D.Double triangle = new Path2D.Double();
        for (int k = 0; k < 3; k++) {
          double a = -Math.PI / 2 + k * 2 * Math.PI / 3;
          if (k == 0) {
            triangle.moveTo(circumradius * Math.cos(a), circumradius * Math.sin(a));
          } else {
            triangle.lineTo(circumradius * Math.cos(a), circumradius * Math.sin(a));
          }
        }
        triangle.closePath();
        yield triangle;
      }
    };
    return AffineTransform.getRotateInstance(angle).createTransformedShape(base);
  }

  private static double luma(Color c) {
    return (0.299 * c.getRed() + 0.587 * c.getGreen() + 0.114 * c.getBlue()) / 255.0;
  }

  /**
   * Whether the fill is brighter, or darker, than both ends of the gradient by a margin, so no
   * background pixel shares its grey level.
   */
  private static boolean contrasts(Color fill, Color top, Color bottom) {
    double f = luma(fill);
    double lo = Math.min(luma(top), luma(bottom));
    double hi = Math.max(luma(top), luma(bottom));
    return f - hi >= MIN_LUMA_CONTRAST || lo - f >= MIN_LUMA_CONTRAST;
  }

  private static float clamp(float v, float lo, float hi) {
    return Math.max(lo, Math.min(hi, v));
  }

  @Override
  public String describe(int index) {
    if (index < 0 || index >= size) {
      throw new IndexOutOfBoundsException("index " + index + " outside 0.." + (size - 1));
    }
    return "builtin:" + CLASSES.get(index % CLASSES.size()) + "#" + index;
  }
}
