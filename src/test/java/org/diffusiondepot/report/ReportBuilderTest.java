package org.diffusiondepot.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.diffusiondepot.proto.ModelCard;
import org.diffusiondepot.sampler.ModelCards;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reports of a tiny unconditional run and its export, whole and with parts missing. */
class ReportBuilderTest {
  static final List<String> SECTIONS = List.of("1. Model", "2. Noise schedules", "3. Forward process",
      "4. Reverse process", "5. Training curves", "6. Samples", "7. Metrics");

  @TempDir static Path dir;
  static Path run;
  static Path export;
  static ModelCard card;
  static String html;
  static String progress;

  @BeforeAll
  static void trainExportAndReport() throws IOException {
    run = TinyModels.train(dir, "run", TinyModels.UNCONDITIONAL);
    export = TinyModels.export(run);
    card = ModelCards.read(export);
    ByteArrayOutputStream lines = new ByteArrayOutputStream();
    Path index = ReportBuilder.build(run, export, dir.resolve("report"), new PrintStream(lines, true,
        StandardCharsets.UTF_8), TinyModels.OPTIONS);
    assertEquals(dir.resolve("report").resolve("index.html"), index);
    html = ReportPages.checkPage(index);
    progress = lines.toString(StandardCharsets.UTF_8);
  }

  @Test
  void everySectionIsThereInOrder() {
    int at = 0;
    for (String heading : SECTIONS) {
      int found = html.indexOf("<h2>" + heading + "</h2>");
      assertTrue(found > at, heading);
      at = found;
    }
    assertTrue(html.contains("<h1>report_test</h1>"));
  }

  @Test
  void theModelCardIsShownAsATable() {
    assertTrue(html.contains("<td>name</td><td>report_test</td>"), "name");
    assertTrue(html.contains("<td>task</td><td>UNCONDITIONAL</td>"), "task");
    assertTrue(html.contains("<td>image_size</td><td class=\"num\">8</td>"), "image_size");
    assertTrue(html.contains("<td>trained_steps</td><td class=\"num\">3</td>"), "trained_steps");
    assertTrue(html.contains("<td>beta_end</td><td class=\"num\">0.02</td>"), "beta_end");
    assertTrue(html.contains("<td>parameters</td><td class=\"num\">" + card.getParameters() + "</td>"), "parameters");
    assertTrue(html.contains(String.format("%,d", card.getParameters())), "parameter count in words");
    assertTrue(html.contains("base_channels: 8"), "the config's text");
    assertTrue(html.contains("level 0:"), "the architecture summary");
  }

  @Test
  void everyFigureOfAFullReportIsThere() {
    List<String> images = ReportPages.images(html);
    for (String name : List.of("schedule-alphas-cumprod", "schedule-snr", "schedule-variance", "forward-process",
        "reverse-process", "train-loss", "train-loss-quarters", "learning-rate", "validation-loss", "gradient-norm",
        "samples")) {
      assertTrue(images.contains("figures/" + name + ".png"), name + " in " + images);
    }
    assertTrue(html.contains("No metrics.json"), "says how to get metrics");
    assertTrue(html.contains("tools/depot eval"), "names the command");
  }

  @Test
  void progressIsPrinted() {
    for (int i = 1; i <= SECTIONS.size(); i++) {
      assertTrue(progress.contains("report: " + i + "/7 "), progress);
    }
    assertTrue(progress.contains("wrote "), progress);
  }

  @Test
  void aRunWithoutEventsOrExportStillGivesAPage() throws IOException {
    Path bare = dir.resolve("bare-run");
    Files.createDirectories(bare);
    try (Stream<Path> files = Files.list(run)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        if (!f.getFileName().toString().contains("tfevents")) {
          Files.copy(f, bare.resolve(f.getFileName()));
        }
      }
    }
    String page = ReportPages.checkPage(ReportBuilder.build(bare, null, dir.resolve("bare-report"),
        TinyModels.quiet(), TinyModels.OPTIONS));
    SECTIONS.forEach(h -> assertTrue(page.contains("<h2>" + h + "</h2>"), h));
    assertTrue(page.contains("No export given"), "model card note");
    assertTrue(page.contains("needs an export"), "reverse process note");
    assertTrue(page.contains("No TensorBoard scalars"), "training curves note");
    assertTrue(page.contains("Samples need an export"), "samples note");
    List<String> images = ReportPages.images(page);
    assertTrue(images.contains("figures/forward-process.png") && images.contains("figures/schedule-snr.png"), images
        .toString());
    assertFalse(images.contains("figures/samples.png"));
  }

  @Test
  void anExportAloneGivesAPageWithoutTrainingCurves() throws IOException {
    Files.writeString(export.resolve("metrics.json"),
        "{\"fid\": 123.456, \"fid_samples\": 500, \"inception_score\": 2.5}");
    try {
      String page = ReportPages.checkPage(ReportBuilder.build(null, export, dir.resolve("export-report"),
          TinyModels.quiet(), TinyModels.OPTIONS));
      assertTrue(page.contains("no run directory was given"), "training curves note");
      assertTrue(page.contains("Config (embedded in the model card)"));
      assertTrue(page.contains("<td>fid</td><td class=\"num\">123.456</td><td class=\"num\">500</td>"), "metrics");
      assertTrue(page.contains("<td>inception_score</td><td class=\"num\">2.5</td><td></td>"), "metrics");
      assertTrue(ReportPages.images(page).contains("figures/samples.png"));
    } finally {
      Files.delete(export.resolve("metrics.json"));
    }
  }

  @Test
  void aRebuiltReportLeavesNoStaleFigures() throws IOException {
    Path out = dir.resolve("rebuilt");
    Files.createDirectories(out.resolve("figures"));
    Files.writeString(out.resolve("figures/old.png"), "stale");
    ReportBuilder.build(null, export, out, TinyModels.quiet(), TinyModels.OPTIONS);
    assertFalse(Files.exists(out.resolve("figures/old.png")));
  }

  @Test
  void needsARunOrAnExport() {
    assertThrows(IllegalArgumentException.class, () -> ReportBuilder.build(null, null, dir.resolve("none"),
        TinyModels.quiet()));
    assertThrows(IllegalArgumentException.class, () -> new ReportOptions(0, 50, 0, null));
  }
}
