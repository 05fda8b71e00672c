package org.diffusiondepot.image;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import javax.imageio.ImageIO;

/** Tiles images into one picture with a thin separator, as the notebooks show samples. */
public final class ImageGrid {
  private static final int GAP = 2;

  private ImageGrid() {}

  /** Tiles a batch of [n, size, size, channels] floats, {@code columns} per row. */
  public static BufferedImage of(float[] batch, int n, int size, int channels, int columns) {
    BufferedImage[] tiles = new BufferedImage[n];
    for (int i = 0; i < n; i++) {
      tiles[i] = Pixels.toImage(batch, i, size, channels);
    }
    return of(List.of(tiles), columns);
  }

  public static BufferedImage of(List<BufferedImage> tiles, int columns) {
    int n = tiles.size();
    int cols = Math.max(1, Math.min(columns, n));
    int rows = (n + cols - 1) / cols;
    int w = tiles.get(0).getWidth();
    int h = tiles.get(0).getHeight();
    BufferedImage grid = new BufferedImage(cols * w + (cols + 1) * GAP, rows * h + (rows + 1) * GAP,
        BufferedImage.TYPE_INT_RGB);
    Graphics2D g = grid.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, grid.getWidth(), grid.getHeight());
    for (int i = 0; i < n; i++) {
      g.drawImage(tiles.get(i), GAP + (i % cols) * (w + GAP), GAP + (i / cols) * (h + GAP), null);
    }
    g.dispose();
    return grid;
  }

  /** Nearest-neighbour enlargement so that small samples are visible. */
  public static BufferedImage enlarge(BufferedImage image, int factor) {
    if (factor <= 1) {
      return image;
    }
    BufferedImage big = new BufferedImage(image.getWidth() * factor, image.getHeight() * factor,
        BufferedImage.TYPE_INT_RGB);
    Graphics2D g = big.createGraphics();
    g.drawImage(image, 0, 0, big.getWidth(), big.getHeight(), null);
    g.dispose();
    return big;
  }

  /**
   * Writes a PNG, creating parent folders. The image is written beside the target and renamed
   * into place, so a full disk or a kill never leaves a truncated PNG under the final name.
   */
  public static void writePng(BufferedImage image, Path file) throws IOException {
    Path target = file.toAbsolutePath();
    Path parent = target.getParent();
    Files.createDirectories(parent);
    Path tmp = parent.resolve(".tmp-" + target.getFileName());
    try {
      if (!ImageIO.write(image, "png", tmp.toFile())) {
        throw new IOException("no PNG writer available for " + file);
      }
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
