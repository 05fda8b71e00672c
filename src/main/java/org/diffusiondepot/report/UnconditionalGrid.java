package org.diffusiondepot.report;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.diffusiondepot.sampler.Samples;
import org.diffusiondepot.task.DiffusionTask;

/** Unconditional samples: the report's number of samples in rows of {@link SampleGridsSection#COLUMNS}. */
final class UnconditionalGrid implements SamplePart {
  @Override
  public void render(ReportContext ctx, HtmlPage page) throws IOException {
    DiffusionTask task = ctx.model().task();
    int n = ctx.options.samples();
    Samples samples = TaskSampling.sample(ctx, n, null, null);
    LabeledGrid grid = new LabeledGrid(List.of());
    for (int start = 0; start < n; start += SampleGridsSection.COLUMNS) {
      List<BufferedImage> tiles = new ArrayList<>();
      for (int i = start; i < Math.min(n, start + SampleGridsSection.COLUMNS); i++) {
        tiles.add(LabeledGrid.tile(samples.pixels(), i, task.imageSize(), task.imageChannels()));
      }
      grid.row("", tiles);
    }
    page.figure(ctx.figures.image("samples", grid.render()), n + " samples, " + TaskSampling.method(ctx) + ".");
  }
}
