package org.diffusiondepot.report;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.diffusiondepot.data.Batch;
import org.diffusiondepot.proto.ModelCard;
import org.diffusiondepot.sampler.Samples;
import org.diffusiondepot.task.MaskGenerator;

/** Inpainting samples: input | mask | masked input | output for a few validation images. */
final class InpaintingSamples {
  static final int IMAGES = 4;

  void render(ReportContext ctx, HtmlPage page) throws IOException {
    ModelCard card = ctx.card;
    ExampleImages examples = ctx.examples();
    if (examples.note() != null) {
      page.note(examples.note());
    }
    int size = card.getImageSize();
    int channels = card.getImageChannels();
    int values = size * size * channels;
    Batch images = examples.validation(Math.min(IMAGES, ctx.options.samples()));
    MaskGenerator masks = TaskSampling.masks(ctx, size);
    LabeledGrid grid = new LabeledGrid(List.of("input", "mask", "masked input", "output"));
    for (int i = 0; i < images.size(); i++) {
      float[] image = java.util.Arrays.copyOfRange(images.images(), i * values, (i + 1) * values);
      // Seeded per image, so a rebuilt report shows the same holes.
      float[] mask = masks.generate(ctx.options.seed() * 31 + i);
      ctx.progress("inpainting validation image %d of %d", i + 1, images.size());
      Samples out = ctx.model().sampling().count(1)
          .ddim(Math.min(ctx.options.steps(), card.getDiffusion().getTimesteps())).eta(TaskSampling.ETA).seed(ctx.options.seed() + i).inpaint(image, mask).run();
      grid.row("", List.of(LabeledGrid.tile(image, 0, size, channels), LabeledGrid.maskTile(mask, size),
          LabeledGrid.tile(TaskSampling.masked(image, mask, channels), 0, size, channels),
          LabeledGrid.tile(out.pixels(), 0, size, channels)));
    }
    page.figure(ctx.figures.image("samples-inpainting", grid.render()), images.size() + " validation images ("
        + examples.description() + ") with seeded masks (white = to fill, " + masks.minRatio() + " to "
        + masks.maxRatio() + " of the pixels), " + SampleGridsSection.method(ctx)
        + ". The output keeps the known pixels and generates the hole.");
  }
}
