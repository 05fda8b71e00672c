package org.diffusiondepot.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The probe reports the kernels TensorFlow chose at start: a fresh JVM per value of
 * TF_ENABLE_ONEDNN_OPTS (TensorFlow reads it once per process), asked through {@code --version}.
 */
class ActiveKernelsTest {
  @Test
  void theProbeSeesTheVariablesChoiceInAFreshProcess() throws Exception {
    assertEquals("CPU kernels: Eigen's (TF_ENABLE_ONEDNN_OPTS=0)", kernelsLine("0", false));
    assertEquals("CPU kernels: oneDNN's (TF_ENABLE_ONEDNN_OPTS=1)", kernelsLine("1", false));
    assertEquals("CPU kernels: oneDNN's (TF_ENABLE_ONEDNN_OPTS=1, as recorded for this CPU in kernels.tsv)",
        kernelsLine("1", true), "the launcher's mark that the value came from the record");
  }

  private static String kernelsLine(String value, boolean recorded) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xss4m", "-cp", System.getProperty("java.class.path"), "org.diffusiondepot.cli.DepotCli", "--version")
        .redirectErrorStream(true);
    builder.environment().put(KernelChoices.TENSORFLOW_VARIABLE, value);
    builder.environment().remove(ActiveKernels.RECORDED_VARIABLE);
    if (recorded) {
      builder.environment().put(ActiveKernels.RECORDED_VARIABLE, "1");
    }
    builder.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
    Process p = builder.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "--version did not finish");
    assertEquals(0, p.exitValue(), out);
    List<String> lines = out.lines().filter(l -> l.startsWith("CPU kernels: ")).toList();
    assertEquals(1, lines.size(), out);
    return lines.get(0);
  }
}
