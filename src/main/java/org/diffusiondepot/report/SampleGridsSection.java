package org.diffusiondepot.report;

import java.io.IOException;

/**
 * Section 6: what the export generates, in the figure of its task ({@link TaskSections}): a grid
 * (unconditional), a row per class at guidance 1 and at the card's guidance (class-conditional),
 * the task's panels beside the true image for a few validation images (inpainting,
 * super-resolution).
 */
final class SampleGridsSection implements Section {
  static final int COLUMNS = 8;

  @Override
  public String id() {
    return "samples";
  }

  @Override
  public String title() {
    return "Samples";
  }

  @Override
  public void render(ReportContext ctx, HtmlPage page) throws IOException {
    if (!ctx.hasExport()) {
      page.note("Samples need an export; none was given. The run's own preview grids are in `"
          + (ctx.hasRun() ? ctx.runDir.resolve("samples") : "RUN_DIR/samples") + "`.");
      return;
    }
    String unsupported = TaskSampling.unsupported(ctx.card, ctx.task());
    if (unsupported != null) {
      page.note("Skipped: " + unsupported + ".");
      return;
    }
    SamplePart part = TaskSections.samples(ctx, ctx.model().task());
    if (part == null) {
      page.note("No samples for task " + ctx.kind() + ".");
      return;
    }
    part.render(ctx, page);
  }
}
