package org.diffusiondepot.report;

import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * Super-resolution panels, low-res | bicubic | output, from plain float arrays, so they render
 * the same whichever way the output was produced.
 */
final class SuperResolutionPanels {
  /** One example: the low-res input, its bicubic upscale and the model's output, HWC in [-1, 1]. */
  record Row(float[] lowRes, float[] bicubic, float[] output) {}

  private SuperResolutionPanels() {}

  static BufferedImage render(List<Row> rows, int lowSize, int size, int channels) {
    LabeledGrid grid = new LabeledGrid(List.of("low-res " + lowSize + "x" + lowSize, "bicubic " + size + "x" + size,
        "output " + size + "x" + size));
    for (Row row : rows) {
      check(row.lowRes(), lowSize, channels, "low-res");
      check(row.bicubic(), size, channels, "bicubic");
      check(row.output(), size, channels, "output");
      grid.row("", List.of(blocky(LabeledGrid.tile(row.lowRes(), 0, lowSize, channels), size),
          LabeledGrid.tile(row.bicubic(), 0, size, channels), LabeledGrid.tile(row.output(), 0, size, channels)));
    }
    return grid.render();
  }

  /** The low-res image at the panel size with its pixels visible as blocks. */
  private static BufferedImage blocky(BufferedImage low, int size) {
    BufferedImage big = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = big.createGraphics();
    try {
      g.drawImage(low, 0, 0, size, size, null);  // default interpolation is nearest neighbour
    } finally {
      g.dispose();
    }
    return big;
  }

  private static void check(float[] image, int size, int channels, String what) {
    if (image.length != size * size * channels) {
      throw new IllegalArgumentException(what + " has " + image.length + " values, expected " + size + "x" + size
          + "x" + channels);
    }
  }
}
