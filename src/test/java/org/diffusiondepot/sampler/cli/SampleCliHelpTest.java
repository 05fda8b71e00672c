package org.diffusiondepot.sampler.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** {@code depot-sample --help} and {@code --version}, which need no export. */
class SampleCliHelpTest {
  static String[] run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = SampleCli.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new String[] {String.valueOf(code), out.toString(), err.toString()};
  }

  @Test
  void helpShowsUsageExamplesAndExitCodes() {
    String[] o = run("--help");
    assertEquals("0", o[0], o[2]);
    assertTrue(o[1].startsWith("Usage: depot-sample [-hV] "), o[1]);
    assertTrue(o[1].contains("--model=EXPORT_DIR") && o[1].contains("Exit codes:"), o[1]);
    assertTrue(o[1].contains("Examples:\n  tools/depot-sample --model "), o[1]);
  }

  @Test
  void versionNamesTheBuildTensorFlowAndTheNative() {
    String[] o = run("--version");
    assertEquals("0", o[0], o[2]);
    String[] lines = o[1].strip().split("\n");
    assertEquals(4, lines.length, o[1]);
    assertTrue(lines[0].matches("depot-sample \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?"), lines[0]);
    assertTrue(lines[1].startsWith("TensorFlow 2.") && lines[1].endsWith("(TensorFlow Java 1.1.0)"), lines[1]);
    assertTrue(lines[2].startsWith("native ") && lines[2].contains("devices: CPU:0"), lines[2]);
    assertTrue(lines[3].startsWith("CPU kernels: "), lines[3]);
  }
}
