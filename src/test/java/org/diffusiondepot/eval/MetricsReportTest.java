package org.diffusiondepot.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.diffusiondepot.runtime.OptionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsReportTest {
  @Test
  void writesFlatJsonInInsertionOrder() {
    MetricsReport report = new MetricsReport()
        .text("model", "exports/\"demo\"\n")
        .put("swd", 12.5)
        .count("swd_samples", 256)
        .put("psnr", Double.POSITIVE_INFINITY)
        .put("kid", 1.5e-4);
    assertEquals("{\n"
        + "  \"model\": \"exports/\\\"demo\\\"\\n\",\n"
        + "  \"swd\": 12.5,\n"
        + "  \"swd_samples\": 256,\n"
        + "  \"psnr\": null,\n"
        + "  \"kid\": 1.5E-4\n"
        + "}\n", report.toJson());
    assertEquals("{}\n", new MetricsReport().toJson());
  }

  @Test
  void replacingAValueKeepsItsPlace(@TempDir Path dir) throws Exception {
    MetricsReport report = new MetricsReport().put("a", 1).put("b", 2).put("a", 3);
    Path file = dir.resolve("sub/metrics.json");
    report.write(file);
    assertEquals("{\n  \"a\": 3.0,\n  \"b\": 2.0\n}\n", Files.readString(file, StandardCharsets.UTF_8));
    assertEquals(3, report.value("a"), 0);
  }

  @Test
  void aMetricsPathThatCannotBeWrittenIsTheUsersError(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("a-file");
    Files.writeString(file, "x");
    Path json = file.resolve("metrics.json");
    OptionException e = assertThrows(OptionException.class, () -> new MetricsReport().put("a", 1).write(json));
    assertEquals("the metrics file " + json + ": a file is in the way (at " + file + ")", e.getMessage());
  }
}
