package org.diffusiondepot.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Section 7: metrics.json written by {@code depot eval} beside the run or the export, a flat
 * object of name -> number with "NAME_samples" counts, shown as name | value | samples.
 */
final class MetricsSection implements Section {
  static final String FILE = "metrics.json";
  static final String SAMPLES_SUFFIX = "_samples";

  @Override
  public String id() {
    return "metrics";
  }

  @Override
  public String title() {
    return "Metrics";
  }

  @Override
  public void render(ReportContext ctx, HtmlPage page) throws IOException {
    Set<Path> candidates = new LinkedHashSet<>();
    if (ctx.hasRun()) {
      candidates.add(ctx.runDir.resolve(FILE).toAbsolutePath().normalize());
    }
    if (ctx.exportDir != null) {
      candidates.add(ctx.exportDir.resolve(FILE).toAbsolutePath().normalize());
    }
    boolean found = false;
    for (Path file : candidates) {
      if (!Files.isRegularFile(file)) {
        continue;
      }
      found = true;
      page.subheading(file.toString());
      Map<String, Object> metrics;
      try {
        metrics = FlatJson.parse(Files.readString(file, StandardCharsets.UTF_8));
      } catch (IllegalArgumentException e) {
        page.error(file + ": " + e.getMessage());
        continue;
      }
      SamplerSweepFigures.render(metrics, file.getParent().getFileName() + "-metrics", ctx, page);
      page.table(List.of("metric", "value", "samples"), rows(metrics));
    }
    if (!found) {
      String target = ctx.exportDir != null ? ctx.exportDir.toString() : "EXPORT_DIR";
      page.note("No " + FILE + " in " + String.join(" or ", candidates.stream().map(p -> "`" + p.getParent() + "`")
          .toList()) + ". Produce one with `tools/depot eval ...` on the export (`" + target + "`; see "
          + "`tools/depot eval --help`), which writes " + FILE + "; then build this report again.");
    }
  }

  /** One row per metric; "NAME_samples" entries fill the samples column of NAME. */
  static List<List<String>> rows(Map<String, Object> metrics) {
    List<List<String>> rows = new ArrayList<>();
    metrics.forEach((name, value) -> {
      if (name.endsWith(SAMPLES_SUFFIX)
          && metrics.containsKey(name.substring(0, name.length() - SAMPLES_SUFFIX.length()))) {
        return;
      }
      Object samples = metrics.get(name + SAMPLES_SUFFIX);
      rows.add(List.of(name, format(value), samples == null ? "" : format(samples)));
    });
    return rows;
  }

  private static String format(Object value) {
    if (value instanceof Double d) {
      return Numbers.exact(d);
    }
    return String.valueOf(value);
  }
}
