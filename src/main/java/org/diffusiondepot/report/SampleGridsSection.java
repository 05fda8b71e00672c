package org.diffusiondepot.report;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.diffusiondepot.proto.ModelCard;
import org.diffusiondepot.sampler.DepotModel;
import org.diffusiondepot.sampler.Samples;

/**
 * Section 6: what the export generates, by task: a grid (unconditional), a row per class at
 * guidance 1 and at the card's guidance (class-conditional), panels for inpainting and
 * super-resolution.
 */
final class SampleGridsSection implements Section {
  static final int COLUMNS = 8;
  static final int MAX_CLASSES = 16;

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
    String unsupported = TaskSampling.unsupported(ctx.card);
    if (unsupported != null) {
      page.note("Skipped: " + unsupported + ".");
      return;
    }
    switch (ctx.card.getTask()) {
      case UNCONDITIONAL -> unconditional(ctx, page);
      case CLASS_CONDITIONAL -> classConditional(ctx, page);
      case INPAINTING -> new InpaintingSamples().render(ctx, page);
      case SUPER_RESOLUTION -> new SuperResolutionSamples().render(ctx, page);
      default -> page.note("No samples for task " + ctx.card.getTask() + ".");
    }
  }

  private static void unconditional(ReportContext ctx, HtmlPage page) throws IOException {
    ModelCard card = ctx.card;
    int n = ctx.options.samples();
    Samples samples = sample(ctx, n, null, null);
    LabeledGrid grid = new LabeledGrid(List.of());
    for (int start = 0; start < n; start += COLUMNS) {
      List<BufferedImage> tiles = new ArrayList<>();
      for (int i = start; i < Math.min(n, start + COLUMNS); i++) {
        tiles.add(LabeledGrid.tile(samples.pixels(), i, card.getModelSize(), card.getModelChannels()));
      }
      grid.row("", tiles);
    }
    page.figure(ctx.figures.image("samples", grid.render()), n + " samples, " + method(ctx) + ".");
  }

  private static void classConditional(ReportContext ctx, HtmlPage page) throws IOException {
    ModelCard card = ctx.card;
    List<String> all = card.getClassNamesList();
    if (all.isEmpty()) {
      page.note("The model card lists no class names; cannot draw a row per class.");
      return;
    }
    // Sampling cost grows with the classes; a page of MAX_CLASSES rows says enough.
    List<String> names = all.subList(0, Math.min(all.size(), MAX_CLASSES));
    if (names.size() < all.size()) {
      page.note("Showing the first " + names.size() + " of " + all.size() + " classes.");
    }
    int perClass = Math.max(1, Math.min(COLUMNS, ctx.options.samples() / names.size()));
    int[] labels = new int[perClass * names.size()];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = i / perClass;
    }
    List<Double> scales = new ArrayList<>(List.of(1.0));
    if (card.getClassifierFreeGuidance() && card.getGuidanceScale() != 1.0) {
      scales.add(card.getGuidanceScale());
    }
    for (double w : scales) {
      Samples samples = sample(ctx, labels.length, labels, w);
      LabeledGrid grid = new LabeledGrid(List.of());
      for (int c = 0; c < names.size(); c++) {
        List<BufferedImage> tiles = new ArrayList<>();
        for (int i = c * perClass; i < (c + 1) * perClass; i++) {
          tiles.add(LabeledGrid.tile(samples.pixels(), i, card.getModelSize(), card.getModelChannels()));
        }
        grid.row(names.get(c), tiles);
      }
      String what = w == 1.0 ? "guidance w = 1 (the plain conditional model)"
          : String.format(Locale.ROOT, "guidance w = %s (the card's classifier-free guidance scale)", trim(w));
      page.subheading(what.substring(0, 1).toUpperCase(Locale.ROOT) + what.substring(1));
      page.figure(ctx.figures.image(String.format(Locale.ROOT, "samples-class-w%s", trim(w).replace('.', '_')),
          grid.render()), "One row per class, " + what + ", " + method(ctx)
          + "; the same seed at every scale, so columns start from the same noise.");
    }
    if (!card.getClassifierFreeGuidance()) {
      page.note("This model was trained without classifier-free guidance, so only w = 1 is shown.");
    }
  }

  /** {@code n} samples with the report's DDIM settings; labels and guidance for class-conditional models. */
  static Samples sample(ReportContext ctx, int n, int[] labels, Double guidance) throws IOException {
    DepotModel model = ctx.model();
    var sampling = model.sampling().count(n).ddim(Math.min(ctx.options.steps(), ctx.card.getDiffusion().getTimesteps()))
        .eta(TaskSampling.ETA).seed(ctx.options.seed());
    if (labels != null) {
      sampling.classLabels(labels);
    }
    if (guidance != null) {
      sampling.guidance(guidance);
    }
    ctx.progress("sampling %d images (%s%s)", n, method(ctx), guidance == null ? "" : ", guidance " + trim(guidance));
    long start = System.nanoTime();
    Samples samples = sampling.run();
    ctx.progress("sampled %d images in %.1f s", n, (System.nanoTime() - start) / 1e9);
    return samples;
  }

  static String method(ReportContext ctx) {
    return String.format(Locale.ROOT, "DDIM %d steps, eta %.0f, seed %d",
        Math.min(ctx.options.steps(), ctx.card.getDiffusion().getTimesteps()), TaskSampling.ETA, ctx.options.seed());
  }

  private static String trim(double w) {
    return w == Math.rint(w) ? String.valueOf((long) w) : String.valueOf(w);
  }
}
