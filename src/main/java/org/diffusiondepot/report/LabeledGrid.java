package org.diffusiondepot.report;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import org.diffusiondepot.image.ImageGrid;
import org.diffusiondepot.image.Pixels;

/**
 * Rows of equally sized image tiles, enlarged nearest-neighbour so small model images stay
 * visible, with optional column headings on top and a label left of each row. Used for every
 * strip and panel of the report, so they all look alike.
 */
final class LabeledGrid {
  private static final int GAP = 4;
  private static final int PAD = 8;
  private static final Font FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 13);

  private final List<String> columnLabels;
  private final List<String> rowLabels = new ArrayList<>();
  private final List<List<BufferedImage>> rows = new ArrayList<>();

  /** @param columnLabels one per column, or an empty list for no heading row */
  LabeledGrid(List<String> columnLabels) {
    this.columnLabels = List.copyOf(columnLabels);
  }

  /** Tile side on the page for images of {@code size} pixels: about 128, never shrunk. */
  static int scaleFor(int size) {
    return Math.max(1, 128 / Math.max(1, size));
  }

  /** One image of an NHWC [-1, 1] batch as a tile. */
  static BufferedImage tile(float[] batch, int index, int size, int channels) {
    return Pixels.toImage(batch, index, size, channels);
  }

  LabeledGrid row(String label, List<BufferedImage> tiles) {
    rowLabels.add(label == null ? "" : label);
    rows.add(List.copyOf(tiles));
    return this;
  }

  BufferedImage render() {
    if (rows.isEmpty()) {
      throw new IllegalStateException("a grid needs at least one row");
    }
    BufferedImage first = rows.get(0).get(0);
    int scale = scaleFor(Math.max(first.getWidth(), first.getHeight()));
    int tileW = first.getWidth() * scale;
    int tileH = first.getHeight() * scale;
    int columns = rows.stream().mapToInt(List::size).max().orElse(1);
    FontMetrics metrics = metrics();
    int labelW = rowLabels.stream().mapToInt(metrics::stringWidth).max().orElse(0);
    int left = labelW > 0 ? labelW + 2 * PAD : GAP;
    int cellW = Math.max(tileW, columnLabels.stream().mapToInt(metrics::stringWidth).max().orElse(0) + PAD);
    int top = columnLabels.isEmpty() ? GAP : metrics.getHeight() + PAD;
    int width = left + columns * (cellW + GAP);
    int height = top + rows.size() * (tileH + GAP);
    BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    try {
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, width, height);
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setFont(FONT);
      g.setColor(new Color(0x33383F));
      for (int c = 0; c < columnLabels.size() && c < columns; c++) {
        String text = columnLabels.get(c);
        int x = left + c * (cellW + GAP) + (cellW - metrics.stringWidth(text)) / 2;
        g.drawString(text, x, PAD / 2 + metrics.getAscent());
      }
      for (int r = 0; r < rows.size(); r++) {
        int y = top + r * (tileH + GAP);
        g.drawString(rowLabels.get(r), PAD, y + (tileH + metrics.getAscent()) / 2);
        List<BufferedImage> tiles = rows.get(r);
        for (int c = 0; c < tiles.size(); c++) {
          BufferedImage big = ImageGrid.enlarge(tiles.get(c), scale);
          g.drawImage(big, left + c * (cellW + GAP) + (cellW - tileW) / 2, y, tileW, tileH, null);
        }
      }
    } finally {
      g.dispose();
    }
    return out;
  }

  private static FontMetrics metrics() {
    BufferedImage scratch = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = scratch.createGraphics();
    try {
      return g.getFontMetrics(FONT);
    } finally {
      g.dispose();
    }
  }
}
