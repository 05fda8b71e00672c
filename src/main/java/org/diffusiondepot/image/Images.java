package org.diffusiondepot.image;



import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.util.Arrays;

/** Conversions between 8-bit images and the HWC float arrays in [-1, 1] that models consume. */
public final class Images {
  private Images() {}

  /** [-1, 1] floats to an 8-bit image (clamped, rounded): RGB for 3 channels, grey for 1. */
  public static BufferedImage toImage(float[] pixels, int size, int channels) {
    checkShape(pixels, size, channels);
    if (channels == 1) {
      BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_BYTE_GRAY);
      // Raw samples: setRGB would push the values through a gamma conversion.
      WritableRaster raster = img.getRaster();
      int[] row = new int[size];
      for (int y = 0; y < size; y++) {
        for (int x = 0; x < size; x++) {
          row[x] = to8Bit(pixels[y * size + x]);
        }
        raster.setSamples(0, y, size, 1, 0, row);
      }
      return img;
    }
    BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
    int[] row = new int[size];
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        int i = (y * size + x) * 3;
        row[x] = to8Bit(pixels[i]) << 16 | to8Bit(pixels[i + 1]) << 8 | to8Bit(pixels[i + 2]);
      }
      img.setRGB(0, y, size, 1, row, 0, size);
    }
    return img;
  }

  /**
   * Any decoded image to a square HWC array in [-1, 1]: the centered square of side min(w, h) is
   * resized to {@code resolution} (area averaging when shrinking, so there is no aliasing; bicubic
   * when enlarging). Cropping the square first is the same as scaling the shorter side and then
   * center-cropping, without the rounding of an intermediate size. Alpha is ignored (as PIL's
   * convert("RGB")); channels = 1 gives ITU-R 601 luma (as PIL's convert("L")).
   */
  public static float[] fromImage(BufferedImage img, int resolution, int channels) {
    checkChannels(channels);
    if (resolution < 1) {
      throw new IllegalArgumentException("resolution must be positive, got " + resolution);
    }
    int side = Math.min(img.getWidth(), img.getHeight());
    int x0 = (img.getWidth() - side) / 2;
    int y0 = (img.getHeight() - side) / 2;
    Resampler.Filter filter = side >= resolution ? Resampler.Filter.AREA : Resampler.Filter.BICUBIC;
    Resampler.Taps horizontal = Resampler.taps(side, resolution, filter);
    // Rows are shrunk horizontally as they are read, so a large photo never exists as floats whole.
    RowReader reader = new RowReader(img, x0, side, channels);
    float[] rows = new float[side * resolution * channels];
    for (int y = 0; y < side; y++) {
      Resampler.resampleRow(reader.read(y0 + y), 0, horizontal, channels, rows, y * resolution * channels);
    }
    float[] out = Resampler.resampleColumns(rows, resolution * channels,
        Resampler.taps(side, resolution, filter));
    if (filter == Resampler.Filter.BICUBIC) {
      clamp(out);
    }
    return out;
  }

  /** Mirror image left to right; returns a new array. */
  public static float[] flipHorizontal(float[] pixels, int size, int channels) {
    checkShape(pixels, size, channels);
    float[] out = new float[pixels.length];
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        System.arraycopy(pixels, (y * size + x) * channels, out, (y * size + size - 1 - x) * channels, channels);
      }
    }
    return out;
  }

  public static void clamp(float[] values) {
    for (int i = 0; i < values.length; i++) {
      values[i] = Math.max(-1f, Math.min(1f, values[i]));
    }
  }

  public static void checkChannels(int channels) {
    if (channels != 1 && channels != 3) {
      throw new IllegalArgumentException("channels must be 1 (grey) or 3 (RGB), got " + channels);
    }
  }

  public static void checkShape(float[] pixels, int size, int channels) {
    checkChannels(channels);
    if (pixels.length != size * size * channels) {
      throw new IllegalArgumentException("image has " + pixels.length + " values, expected " + size + "x" + size
          + "x" + channels + " = " + size * size * channels);
    }
  }

  private static int to8Bit(float v) {
    return (int) Math.round((Math.max(-1f, Math.min(1f, v)) + 1.0) * 127.5);
  }

  /** Reads one row of the crop as [-1, 1] floats with the requested channel count. */
  private static final class RowReader {
    private final BufferedImage img;
    private final int x0;
    private final int width;
    private final int channels;
    private final boolean rawGrey;
    private final boolean rawRgb;
    private final int bands;
    private final double greyMax;
    private final int[] samples;
    private final float[] row;

    RowReader(BufferedImage img, int x0, int width, int channels) {
      this.img = img;
      this.x0 = x0;
      this.width = width;
      this.channels = channels;
      ColorModel cm = img.getColorModel();
      // getRGB treats grey images as linear light and brightens them (128 -> 188): read samples.
      this.rawGrey = cm instanceof ComponentColorModel && cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY;
      this.greyMax = rawGrey ? (1 << cm.getComponentSize(0)) - 1 : 255;
      // 8-bit sRGB (what PNG and JPEG decode to) is read as raw samples: getRGB is several times slower.
      this.bands = img.getRaster().getNumBands();
      this.rawRgb = !rawGrey && !(cm instanceof IndexColorModel) && cm.getColorSpace().isCS_sRGB()
          && bands >= 3 && Arrays.stream(cm.getComponentSize()).allMatch(bits -> bits == 8);
      this.samples = new int[width * (rawRgb ? bands : 1)];
      this.row = new float[width * channels];
    }

    float[] read(int y) {
      if (rawGrey) {
        Raster raster = img.getRaster();
        raster.getSamples(x0, y, width, 1, 0, samples);
        for (int x = 0; x < width; x++) {
          float v = (float) (samples[x] / greyMax * 2.0 - 1.0);
          for (int c = 0; c < channels; c++) {
            row[x * channels + c] = v;
          }
        }
        return row;
      }
      if (rawRgb) {
        img.getRaster().getPixels(x0, y, width, 1, samples);
      } else {
        img.getRGB(x0, y, width, 1, samples, 0, width);
      }
      for (int x = 0; x < width; x++) {
        int r;
        int g;
        int b;
        if (rawRgb) {
          r = samples[x * bands];
          g = samples[x * bands + 1];
          b = samples[x * bands + 2];
        } else {
          int argb = samples[x];
          r = (argb >> 16) & 0xff;
          g = (argb >> 8) & 0xff;
          b = argb & 0xff;
        }
        if (channels == 1) {
          row[x] = (float) ((0.299 * r + 0.587 * g + 0.114 * b) / 127.5 - 1.0);
        } else {
          row[x * 3] = r / 127.5f - 1f;
          row[x * 3 + 1] = g / 127.5f - 1f;
          row[x * 3 + 2] = b / 127.5f - 1f;
        }
      }
      return row;
    }
  }
}
