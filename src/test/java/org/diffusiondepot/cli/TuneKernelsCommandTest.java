package org.diffusiondepot.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.diffusiondepot.runtime.KernelChoices;
import org.diffusiondepot.runtime.KernelChoices.Choice;
import org.diffusiondepot.runtime.KernelChoices.Kernels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** depot tune-kernels end to end on a small config: a child JVM per kernel set and round, the faster recorded. */
class TuneKernelsCommandTest {
  @TempDir Path dir;

  private Path config() throws Exception {
    Path config = dir.resolve("c.pbtxt");
    Files.writeString(config, TrainCommandTest.CONFIG);
    return config;
  }

  @Test
  void timesBothKernelsInTheirOwnProcessesAndRecordsTheFasterForThisConfig() throws Exception {
    String cpu = KernelChoices.cpuKey().orElse(null);
    assumeTrue(cpu != null, "needs a Linux /proc/cpuinfo");
    Path config = config();
    Path file = dir.resolve("kernels.tsv");
    var o = TrainCommandTest.depot("tune-kernels", config.toString(), "--file", file.toString(), "--steps", "1",
        "--rounds", "2");
    assertEquals(0, o.code(), o.err());
    Matcher rounds = Pattern.compile("round (\\d): (eigen|onednn) +([0-9.]+) s per training step").matcher(o.out());
    assertEquals(List.of("1eigen", "1onednn", "2onednn", "2eigen"),
        rounds.results().map(r -> r.group(1) + r.group(2)).toList(), "alternating: " + o.out());

    String key = KernelChoices.trainingKey(cpu, config);
    Choice recorded = KernelChoices.recorded(file, key).orElseThrow(() -> new AssertionError(key + " not in " + file));
    Matcher evidence = Pattern.compile("eigen ([0-9.]+) s, onednn ([0-9.]+) s per training step")
        .matcher(recorded.evidence());
    assertTrue(evidence.find(), recorded.evidence());
    double eigen = Double.parseDouble(evidence.group(1));
    double onednn = Double.parseDouble(evidence.group(2));
    assertTrue(eigen > 0 && onednn > 0, recorded.evidence());
    assertEquals(onednn < eigen ? Kernels.ONEDNN : Kernels.EIGEN, recorded.kernels(), "the faster: " + recorded);
    assertTrue(KernelChoices.recorded(file, cpu).isEmpty(), "the sampler's per-CPU line is not written");

    var shown = TrainCommandTest.depot("tune-kernels", config.toString(), "--file", file.toString(), "--show");
    assertEquals(0, shown.code(), shown.err());
    assertTrue(shown.out().startsWith(key + ": " + recorded.kernels().label() + " (TF_ENABLE_ONEDNN_OPTS="
        + recorded.kernels().variableValue() + ")"), shown.out());

    // an edited config is another key: nothing recorded for it yet
    Files.writeString(config, TrainCommandTest.CONFIG + "\n# edited\n");
    var edited = TrainCommandTest.depot("tune-kernels", config.toString(), "--file", file.toString(), "--show");
    assertTrue(edited.out().contains(": nothing recorded in " + file), edited.out());
  }

  @Test
  void badInputIsNamedBeforeAnyTiming() throws Exception {
    Path file = dir.resolve("none.tsv");
    var missing = TrainCommandTest.depot("tune-kernels", dir.resolve("absent.pbtxt").toString(), "--file",
        file.toString());
    assertEquals(2, missing.code());
    assertTrue(missing.err().contains("absent.pbtxt"), missing.err());
    var rounds = TrainCommandTest.depot("tune-kernels", config().toString(), "--rounds", "0", "--file",
        file.toString());
    assertEquals(2, rounds.code());
    assertTrue(rounds.err().contains("--steps and --rounds must be at least 1, got 5 and 0"), rounds.err());
    assertTrue(Files.notExists(file), "nothing recorded");
  }
}
