package org.diffusiondepot.report;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.diffusiondepot.image.ImageGrid;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;

/** Writes the report's PNGs into {@code OUT_DIR/figures/}, linked from index.html as figures/NAME.png. */
final class Figures {
  static final String FOLDER = "figures";

  private final Path folder;

  Figures(Path outDir) {
    this.folder = outDir.resolve(FOLDER);
  }

  /** Creates the folder and removes PNGs of an earlier report, so no stale figure survives. */
  void prepare() throws IOException {
    Files.createDirectories(folder);
    try (Stream<Path> old = Files.list(folder)) {
      for (Path p : old.filter(f -> f.getFileName().toString().endsWith(".png")).toList()) {
        Files.delete(p);
      }
    }
  }

  Figure image(String name, BufferedImage image) throws IOException {
    ImageGrid.writePng(image, folder.resolve(name + ".png"));
    return new Figure(FOLDER + "/" + name + ".png", image.getWidth(), image.getHeight());
  }

  Figure chart(String name, XYChart chart) throws IOException {
    Charts.finish(chart);
    // Rendered once to an image, so the PNG and the size written into the page agree.
    return image(name, BitmapEncoder.getBufferedImage(chart));
  }

  Path folder() {
    return folder;
  }
}
