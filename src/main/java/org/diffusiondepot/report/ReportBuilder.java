package org.diffusiondepot.report;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import org.diffusiondepot.runtime.OptionException;

/**
 * Builds a static HTML report of a model: {@code OUT_DIR/index.html} and its PNG figures in
 * {@code OUT_DIR/figures/}. It reads a training run, an export, or both: model card and
 * architecture, noise schedules, the forward process on real images, reverse chains and samples
 * from the export, training curves from the run's events, and metrics.json if there is one.
 * A section that cannot be drawn (no export, no events, ...) says why in the page; one that fails
 * shows its error, and the rest of the page is still written.
 */
public final class ReportBuilder {
  public static final String INDEX = "index.html";

  private ReportBuilder() {}

  /** {@link #build(Path, Path, Path, PrintStream, ReportOptions)} with {@link ReportOptions#defaults()}. */
  public static Path build(Path runDir, Path exportDir, Path outDir, PrintStream out) throws IOException {
    return build(runDir, exportDir, outDir, out, ReportOptions.defaults());
  }

  /**
   * @param runDir a training run directory, or null
   * @param exportDir an export directory, or null (at least one of the two is needed)
   * @param out progress lines
   * @return the written index.html
   */
  public static Path build(Path runDir, Path exportDir, Path outDir, PrintStream out, ReportOptions options)
      throws IOException {
    if (Files.exists(outDir) && !Files.isDirectory(outDir)) {
      throw new OptionException("the report folder " + outDir + " exists and is not a directory");
    }
    long start = System.nanoTime();
    List<Section> sections = List.of(new HeaderSection(), new ScheduleSection(), new ForwardProcessSection(),
        new ReverseProcessSection(), new TrainingCurvesSection(), new SampleGridsSection(), new MetricsSection());
    Path index = outDir.resolve(INDEX);
    try (ReportContext ctx = ReportContext.open(runDir, exportDir, outDir, options, out)) {
      try {
        Files.createDirectories(outDir);
      } catch (IOException e) {
        throw OptionException.of("the report folder", outDir, e);
      }
      ctx.figures.prepare();
      HtmlPage page = new HtmlPage(ctx.name() + " - Diffusion Depot report");
      page.header(ctx.name(), ctx.kind() + (ctx.config != null && !ctx.config.getDescription().isEmpty()
          ? " - " + ctx.config.getDescription() : ""));
      for (int i = 0; i < sections.size(); i++) {
        Section section = sections.get(i);
        ctx.progress("%d/%d %s", i + 1, sections.size(), section.title());
        page.openSection(section.id(), (i + 1) + ". " + section.title());
        try {
          section.render(ctx, page);
        } catch (IOException | RuntimeException e) {
          // One broken section must not cost the others: say what failed, in the page and here.
          ctx.progress("%s failed: %s", section.title(), e);
          page.error("This section failed: " + e);
        } finally {
          page.closeSection();
        }
      }
      page.footer(String.format(Locale.ROOT, "Diffusion Depot report, %s. Sampling: %d samples, DDIM %d steps, "
          + "seed %d.", Instant.now().truncatedTo(ChronoUnit.SECONDS), options.samples(), options.steps(),
          options.seed()));
      // Written whole and then moved, so a browser never loads half a page.
      Path tmp = outDir.resolve("." + INDEX + ".tmp");
      Files.writeString(tmp, page.render(), StandardCharsets.UTF_8);
      Files.move(tmp, index, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
    out.printf(Locale.ROOT, "report: wrote %s in %.1f s%n", index, (System.nanoTime() - start) / 1e9);
    return index;
  }
}
