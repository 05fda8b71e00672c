package org.diffusiondepot.report;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sample section of an inpainting export: validation images, seeded masks, panels. (The class
 * rows are checked on the demo model by hand: each tiny trained model costs this suite 10-25 s.)
 */
class InpaintingReportTest {
  @TempDir Path dir;

  @Test
  void inpaintingPanels() throws IOException {
    Path run = TinyModels.train(dir, "inpaint", TinyModels.INPAINTING);
    String html = ReportPages.checkPage(ReportBuilder.build(run, TinyModels.export(run), dir.resolve("report"),
        TinyModels.quiet(), TinyModels.OPTIONS));
    assertTrue(ReportPages.images(html).contains("figures/samples-inpainting.png"));
    assertTrue(html.contains("seeded masks"), "caption");
  }
}
