package org.diffusiondepot.report;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.diffusiondepot.data.Batch;
import org.diffusiondepot.sampler.Samples;
import org.diffusiondepot.task.Conditioning;
import org.diffusiondepot.task.DiffusionTask;
import org.diffusiondepot.task.Panels;

/**
 * Samples of a task conditioned on images (inpainting, super-resolution): a few validation images
 * get the conditioning the task draws for held-out images (masks, degradations, seeded per image),
 * each is sampled on its own with a seed of its own, and the task's panels show what conditioned
 * each sample beside it, with the validation image itself as the last column ("truth").
 */
final class HeldOutPanels implements SamplePart {
  static final int IMAGES = 4;

  private final DiffusionTask task;
  private final String figure;
  private final String conditioning;
  private final String remark;

  /**
   * @param figure the figure's file name, without extension
   * @param conditioning what the caption says of the conditioning, after "N validation images (...)"
   * @param remark a closing sentence of the caption, or ""
   */
  HeldOutPanels(DiffusionTask task, String figure, String conditioning, String remark) {
    this.task = task;
    this.figure = figure;
    this.conditioning = conditioning;
    this.remark = remark;
  }

  @Override
  public void render(ReportContext ctx, HtmlPage page) throws IOException {
    ExampleImages examples = ctx.examples();
    if (examples.note() != null) {
      page.note(examples.note());
    }
    Batch images = examples.validation(Math.min(IMAGES, ctx.options.samples()));
    int n = images.size();
    int size = task.imageSize();
    int channels = task.imageChannels();
    int values = size * size * channels;
    Conditioning held = task.forHeldOut(images.images(), images.labels(), n, ctx.options.seed(), 0);
    float[] outputs = new float[n * values];
    String what = task.kind().name().toLowerCase(Locale.ROOT).replace('_', '-');
    for (int i = 0; i < n; i++) {
      ctx.progress("%s of validation image %d of %d", what, i + 1, n);
      Samples out = TaskSampling.given(TaskSampling.sampling(ctx, 1), TaskSampling.one(held, i, n))
          .seed(ctx.options.seed() + i).run();
      System.arraycopy(out.pixels(), 0, outputs, i * values, values);
    }
    BufferedImage grid = render(task.panels(outputs, held, n), images.images(), size, channels);
    String caption = n + " validation images (" + examples.description() + ") " + conditioning + ", "
        + TaskSampling.method(ctx) + " plus the image's index." + (remark.isEmpty() ? "" : " " + remark);
    page.figure(ctx.figures.image(figure, grid), caption);
  }

  /**
   * The task's panels with their column headings, and {@code truth} (one true image per row, in
   * [-1, 1]) as a last column headed "truth".
   */
  static BufferedImage render(Panels panels, float[] truth, int size, int channels) {
    int rows = panels.rows().size();
    if (truth.length != rows * size * size * channels) {
      throw new IllegalArgumentException(truth.length + " true values for " + rows + " rows of " + size + "x" + size
          + "x" + channels + " images");
    }
    List<String> columns = new ArrayList<>(panels.columns());
    columns.add("truth");
    LabeledGrid grid = new LabeledGrid(columns);
    for (int r = 0; r < rows; r++) {
      List<BufferedImage> tiles = new ArrayList<>(panels.rows().get(r));
      tiles.add(LabeledGrid.tile(truth, r, size, channels));
      grid.row(panels.rowLabels().get(r), tiles);
    }
    return grid.render();
  }
}
