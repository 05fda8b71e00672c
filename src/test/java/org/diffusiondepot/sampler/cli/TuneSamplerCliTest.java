package org.diffusiondepot.sampler.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.diffusiondepot.export.Exporter;
import org.diffusiondepot.runtime.KernelChoices;
import org.diffusiondepot.runtime.KernelChoices.Choice;
import org.diffusiondepot.train.DiffusionTraining;
import org.diffusiondepot.train.TrainingRequest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** depot-tune-sampler end to end on a tiny export: two child JVMs per round, the faster recorded. */
class TuneSamplerCliTest {
  @TempDir static Path dir;
  static Path export;

  @BeforeAll
  static void makeExport() throws Exception {
    Path config = dir.resolve("c.pbtxt");
    Files.writeString(config, SampleCliTest.CONFIG);
    PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    DiffusionTraining.run(new TrainingRequest(config, "builtin", dir.resolve("run"), 1L), quiet);
    export = dir.resolve("export");
    Exporter.export(dir.resolve("run"), export, quiet);
  }

  static SampleCliTest.Outcome run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = TuneSamplerCli.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new SampleCliTest.Outcome(code, out.toString(), err.toString());
  }

  @Test
  void timesBothKernelsInTheirOwnProcessesAndRecordsTheFaster() {
    String cpu = KernelChoices.cpuKey().orElse(null);
    assumeTrue(cpu != null, "needs a Linux /proc/cpuinfo");
    Path file = dir.resolve("kernels.tsv");
    var o = run("--model", export.toString(), "--file", file.toString(), "--batch", "2", "--steps", "2", "--rounds",
        "2");
    assertEquals(0, o.code(), o.err());
    // alternating: the second round starts with the kernels the first ended with
    Matcher rounds = Pattern.compile("round (\\d): (eigen|onednn) +([0-9.]+) s per step").matcher(o.out());
    List<String> order = rounds.results().map(r -> r.group(1) + r.group(2)).toList();
    assertEquals(List.of("1eigen", "1onednn", "2onednn", "2eigen"), order, o.out());

    Choice recorded = KernelChoices.recorded(file, cpu).orElseThrow();
    Matcher evidence = Pattern.compile("eigen ([0-9.]+) s, onednn ([0-9.]+) s per step").matcher(recorded.evidence());
    assertTrue(evidence.find(), recorded.evidence());
    double eigen = Double.parseDouble(evidence.group(1));
    double onednn = Double.parseDouble(evidence.group(2));
    assertTrue(eigen > 0 && onednn > 0, recorded.evidence());
    assertEquals(onednn < eigen ? KernelChoices.Kernels.ONEDNN : KernelChoices.Kernels.EIGEN, recorded.kernels(),
        "the faster one is recorded: " + recorded);
    assertTrue(o.out().contains(cpu + ": " + recorded.kernels().label() + " is "), o.out());

    var shown = run("--show", "--file", file.toString());
    assertEquals(0, shown.code(), shown.err());
    assertTrue(shown.out().startsWith(cpu + ": " + recorded.kernels().label() + " (TF_ENABLE_ONEDNN_OPTS="
        + recorded.kernels().variableValue() + ")"), shown.out());
  }

  @Test
  void aProbeThatFailsReportsTheChildsErrorAndRecordsNothing() throws Exception {
    Path broken = dir.resolve("broken");
    Files.createDirectories(broken);
    try (var files = Files.list(export)) {
      for (Path f : files.toList()) {
        if (Files.isRegularFile(f)) {
          Files.copy(f, broken.resolve(f.getFileName()));
        }
      }
    }
    Path file = dir.resolve("none.tsv");
    var o = run("--model", broken.toString(), "--file", file.toString(), "--steps", "1", "--rounds", "1");
    assertEquals(2, o.code(), o.out());
    assertTrue(o.err().contains("with eigen kernels failed (exit ") && o.err().contains("has no weights"), o.err());
    assertTrue(Files.notExists(file), "nothing recorded");
  }

  @Test
  void badInputIsNamed() {
    var notExport = run("--model", dir.toString(), "--file", dir.resolve("x.tsv").toString());
    assertEquals(2, notExport.code());
    assertTrue(notExport.err().contains("is not an export (no saved_model.pb)"), notExport.err());
    var rounds = run("--model", export.toString(), "--rounds", "0", "--file", dir.resolve("x.tsv").toString());
    assertEquals(2, rounds.code());
    assertTrue(rounds.err().contains("--batch, --steps and --rounds must be at least 1"), rounds.err());
    var none = run("--file", dir.resolve("x.tsv").toString());
    assertEquals(2, none.code());
    assertTrue(none.err().contains("--model EXPORT_DIR is required"), none.err());
  }

  @Test
  void helpShowsExamples() {
    var help = run("--help");
    assertEquals(0, help.code(), help.err());
    assertTrue(help.out().startsWith("Usage: depot-tune-sampler [-hV] "), help.out());
    assertTrue(help.out().contains("Examples:\n  tools/depot-tune-sampler --model "), help.out());
  }
}
