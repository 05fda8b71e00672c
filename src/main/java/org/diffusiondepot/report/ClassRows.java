package org.diffusiondepot.report;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.diffusiondepot.sampler.Samples;
import org.diffusiondepot.task.ClassConditionalTask;

/**
 * Class-conditional samples: a row per class at guidance 1 (the plain conditional model), and again
 * at the model's own guidance scale when it was trained for classifier-free guidance.
 */
final class ClassRows implements SamplePart {
  /** Sampling cost grows with the classes; a page of this many rows says enough. */
  static final int MAX_CLASSES = 16;

  private final ClassConditionalTask task;

  ClassRows(ClassConditionalTask task) {
    this.task = task;
  }

  @Override
  public void render(ReportContext ctx, HtmlPage page) throws IOException {
    List<String> all = task.classNames();
    if (all.isEmpty()) {
      page.note("The model card lists no class names; cannot draw a row per class.");
      return;
    }
    List<String> names = all.subList(0, Math.min(all.size(), MAX_CLASSES));
    if (names.size() < all.size()) {
      page.note("Showing the first " + names.size() + " of " + all.size() + " classes.");
    }
    int perClass = Math.max(1, Math.min(SampleGridsSection.COLUMNS, ctx.options.samples() / names.size()));
    int[] labels = new int[perClass * names.size()];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = i / perClass;
    }
    List<Double> scales = new ArrayList<>(List.of(1.0));
    if (task.classifierFreeGuidance() && task.defaultGuidance() != 1.0) {
      scales.add(task.defaultGuidance());
    }
    for (double w : scales) {
      Samples samples = TaskSampling.sample(ctx, labels.length, labels, w);
      LabeledGrid grid = new LabeledGrid(List.of());
      for (int c = 0; c < names.size(); c++) {
        List<BufferedImage> tiles = new ArrayList<>();
        for (int i = c * perClass; i < (c + 1) * perClass; i++) {
          tiles.add(LabeledGrid.tile(samples.pixels(), i, task.imageSize(), task.imageChannels()));
        }
        grid.row(names.get(c), tiles);
      }
      String what = w == 1.0 ? "guidance w = 1 (the plain conditional model)"
          : String.format(Locale.ROOT, "guidance w = %s (the card's classifier-free guidance scale)",
              TaskSampling.trim(w));
      page.subheading(what.substring(0, 1).toUpperCase(Locale.ROOT) + what.substring(1));
      page.figure(ctx.figures.image(String.format(Locale.ROOT, "samples-class-w%s",
          TaskSampling.trim(w).replace('.', '_')), grid.render()), "One row per class, " + what + ", "
          + TaskSampling.method(ctx) + "; the same seed at every scale, so columns start from the same noise.");
    }
    if (!task.classifierFreeGuidance()) {
      page.note("This model was trained without classifier-free guidance, so only w = 1 is shown.");
    }
  }
}
