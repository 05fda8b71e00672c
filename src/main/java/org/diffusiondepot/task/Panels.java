package org.diffusiondepot.task;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import org.diffusiondepot.image.ImageGrid;

/**
 * How a task shows its samples: one row per sample, a column for the output and one for each thing
 * that conditioned it (the masked input, the low-resolution image and its bicubic upscale), with a
 * label per row where it has one (the class). Training previews, the report and the browser UI all
 * render these.
 *
 * @param columns a heading per column
 * @param rows one list of equally sized tiles per sample
 * @param rowLabels one label per row ("" for none)
 * @param rowsPerLine how many rows a compact grid puts side by side
 */
public record Panels(List<String> columns, List<List<BufferedImage>> rows, List<String> rowLabels, int rowsPerLine) {
  public Panels {
    columns = List.copyOf(columns);
    rows = rows.stream().map(List::copyOf).toList();
    rowLabels = List.copyOf(rowLabels);
    if (rows.size() != rowLabels.size()) {
      throw new IllegalArgumentException(rows.size() + " rows but " + rowLabels.size() + " row labels");
    }
  }

  /** The compact grid of a training preview: {@link #rowsPerLine} rows side by side, no headings. */
  public BufferedImage grid() {
    List<BufferedImage> tiles = new ArrayList<>();
    rows.forEach(tiles::addAll);
    return ImageGrid.of(tiles, Math.max(1, rowsPerLine) * columns.size());
  }
}
