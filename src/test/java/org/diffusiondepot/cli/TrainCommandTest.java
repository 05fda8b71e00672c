package org.diffusiondepot.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.diffusiondepot.config.ConfigLoader;
import org.diffusiondepot.config.ConfigOverrides;
import org.diffusiondepot.proto.ExperimentConfig;
import org.diffusiondepot.run.CheckpointStore;
import org.diffusiondepot.run.RunDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code depot train} end to end: --set reaches the run and its record, and a diverging run exits 3. */
class TrainCommandTest {
  static final String CONFIG = """
      name: "train_command_test" task: UNCONDITIONAL
      model { base_channels: 8 channel_mults: [1, 2] blocks_per_level: 1 attention_resolutions: [4] block: RESNET_3X3 group_norm_groups: 4 }
      diffusion { beta_schedule: LINEAR variance: SAME }
      data { resolution: 8 }
      train { batch_size: 4 iterations: 100 learning_rate: 2e-3 checkpoint_every: 1000 log_every: 1
              sample_every: 0 sample_count: 1 sample_steps: 1 }
      """;

  @TempDir Path dir;

  record Outcome(int code, String out, String err) {}

  /** Runs {@code depot}, with the training log (System.out) captured too. */
  static Outcome depot(String... args) {
    CommandLine cli = DepotCli.commandLine();
    StringWriter err = new StringWriter();
    cli.setErr(new PrintWriter(err, true));
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    PrintStream stdout = System.out;
    System.setOut(new PrintStream(log, true, StandardCharsets.UTF_8));
    try {
      int code = cli.execute(args);
      return new Outcome(code, log.toString(StandardCharsets.UTF_8), err.toString());
    } finally {
      System.setOut(stdout);
    }
  }

  @Test
  void overridesAreTrainedRecordedInTheRunAndAgreeOnResume() throws Exception {
    Path config = dir.resolve("c.pbtxt");
    Files.writeString(config, CONFIG);
    Path run = dir.resolve("run");
    String[] set = {"--set", "train.batch_size=2", "--set", "model.attention_resolutions=[]"};
    Outcome first = depot(train(config, run, 1, set));
    assertEquals(0, first.code(), first.err());

    ExperimentConfig recorded = ConfigLoader.load(run.resolve(RunDirectory.CONFIG));
    assertEquals(ConfigLoader.load(config, ConfigOverrides.parse(List.of("train.batch_size=2",
        "model.attention_resolutions=[]"))), recorded);
    assertEquals(2, recorded.getTrain().getBatchSize());
    assertEquals(List.of(), recorded.getModel().getAttentionResolutionsList());

    // the same command resumes: the run's config and the command's agree, so nothing is noted as changed
    Outcome again = depot(train(config, run, 2, set));
    assertEquals(0, again.code(), again.err());
    assertTrue(again.out().contains("resuming from"), again.out());
    assertFalse(Files.exists(run.resolve("config.previous.pbtxt")), "the config did not change");
    assertEquals(2, CheckpointStore.stepOf(new CheckpointStore(run.resolve("checkpoints"), 3).latest().orElseThrow()));

    // without the overrides the model differs from the run's (attention), which is refused
    Outcome without = depot(train(config, run, 3));
    assertEquals(2, without.code(), without.err());
    assertTrue(without.err().startsWith("error: ") && without.err().contains("different model"), without.err());
  }

  @Test
  void aBadOverrideIsOneLineAndExitTwoBeforeAnythingIsWritten() throws Exception {
    Path config = dir.resolve("c.pbtxt");
    Files.writeString(config, CONFIG);
    Path run = dir.resolve("run");
    Outcome o = depot(train(config, run, 1, "--set", "train.batch_size=many"));
    assertEquals(2, o.code(), o.err());
    assertEquals("error: --set train.batch_size=many: expected an integer, got many", o.err().strip());
    assertFalse(Files.exists(run));
  }

  /** A loss that becomes NaN stops training with one line and the exit code of numerical failures. */
  @Test
  void aDivergingRunExitsThreeWithOneErrorLine() throws Exception {
    Path config = dir.resolve("c.pbtxt");
    Files.writeString(config, CONFIG.replace("learning_rate: 2e-3", "learning_rate: 1e12"));
    Outcome o = depot(train(config, dir.resolve("run"), 50));
    assertEquals(3, o.code(), o.out() + o.err());
    List<String> lines = o.err().strip().lines().toList();
    assertEquals(1, lines.size(), o.err());
    assertTrue(lines.get(0).startsWith("error: ") && lines.get(0).contains("was not applied")
        && lines.get(0).contains("Lower train.learning_rate"), lines.get(0));
    assertFalse(o.err().contains("Exception") || o.err().contains("\tat "), o.err());
  }

  private static String[] train(Path config, Path run, long steps, String... more) {
    List<String> args = new java.util.ArrayList<>(List.of("train", config.toString(), "--data", "builtin", "--out",
        run.toString(), "--steps", String.valueOf(steps)));
    args.addAll(List.of(more));
    return args.toArray(String[]::new);
  }
}
