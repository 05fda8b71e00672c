package org.diffusiondepot.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code depot bench --only}: each half alone, as tools/bench-vs-pytorch runs them in two processes
 * (the sampling one with the sampler's kernels), reporting only what it timed.
 */
class BenchCommandTest {
  @TempDir Path dir;

  private Path config() throws Exception {
    Path config = dir.resolve("c.pbtxt");
    Files.writeString(config, TrainCommandTest.CONFIG);
    return config;
  }

  private static String result(String out) {
    return out.lines().filter(l -> l.startsWith("RESULT ")).reduce((a, b) -> b).orElse("");
  }

  @Test
  void eachHalfRunsAloneAndReportsOnlyItself() throws Exception {
    Path config = config();
    var sampling = TrainCommandTest.depot("bench", config.toString(), "--only", "sampling", "--steps", "2");
    assertEquals(0, sampling.code(), sampling.err());
    String line = result(sampling.out());
    assertTrue(line.matches("RESULT \\{\"config\":\"train_command_test\",\"sample_batch\":4,\"sample_step_s\":[0-9.]+}"),
        sampling.out());
    assertFalse(sampling.out().contains("train step"), "no training step was timed: " + sampling.out());

    var training = TrainCommandTest.depot("bench", config.toString(), "--only", "TRAINING", "--steps", "1",
        "--warmup", "0");
    assertEquals(0, training.code(), training.err());
    assertTrue(result(training.out()).matches(
        "RESULT \\{\"config\":\"train_command_test\",\"batch\":4,\"train_step_s\":[0-9.]+,\"img_per_s\":[0-9.]+}"),
        training.out());
    assertFalse(training.out().contains("sample step"), training.out());
  }

  @Test
  void anUnknownHalfIsBadInput() throws Exception {
    var o = TrainCommandTest.depot("bench", config().toString(), "--only", "inference");
    assertEquals(2, o.code());
    assertTrue(o.err().contains("expected training or sampling, got 'inference'"), o.err());
  }
}
