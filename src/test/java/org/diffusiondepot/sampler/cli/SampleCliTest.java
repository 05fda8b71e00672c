package org.diffusiondepot.sampler.cli;

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
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import org.diffusiondepot.export.Exporter;
import org.diffusiondepot.train.DiffusionTraining;
import org.diffusiondepot.train.TrainingRequest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.Command;

/** depot-sample end to end on a tiny export, and its answers to bad input. */
class SampleCliTest {
  static final String CONFIG = """
      name: "cli_test" task: UNCONDITIONAL
      model { base_channels: 8 channel_mults: [1, 2] block: RESNET_3X3 group_norm_groups: 4 middle_attention: false }
      diffusion { beta_schedule: LINEAR variance: SAME }
      data { resolution: 8 }
      train { batch_size: 2 iterations: 10 sample_count: 1 sample_steps: 1 }
      """;

  @TempDir static Path dir;
  static Path export;

  @BeforeAll
  static void makeExport() throws Exception {
    Path config = dir.resolve("c.pbtxt");
    Files.writeString(config, CONFIG);
    PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    DiffusionTraining.run(new TrainingRequest(config, "builtin", dir.resolve("run"), 2L), quiet);
    export = dir.resolve("export");
    Exporter.export(dir.resolve("run"), export, quiet);
  }

  record Outcome(int code, String out, String err) {}

  static Outcome run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = SampleCli.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Outcome(code, out.toString(), err.toString());
  }

  @Test
  void writesAGridAndOnePngPerSample() throws Exception {
    Path grid = dir.resolve("out/grid.png");
    Path each = dir.resolve("out/each");
    Outcome o = run("--model", export.toString(), "--num", "3", "--sampler", "ddim", "--steps", "4", "--seed", "1",
        "--out", grid.toString(), "--out-dir", each.toString());
    assertEquals(0, o.code(), o.err());
    assertTrue(ImageIO.read(grid.toFile()).getWidth() > 8);
    assertEquals(8, ImageIO.read(each.resolve("sample-0002.png").toFile()).getWidth());
  }

  @Test
  void ddpmRunsTheFullChain() {
    Outcome o = run("--model", export.toString(), "--num", "1", "--sampler", "ddpm",
        "--out", dir.resolve("ddpm.png").toString());
    assertEquals(0, o.code(), o.err());
  }

  @Command(name = "depot-sample")
  record Failing(RuntimeException failure) implements Callable<Integer> {
    @Override
    public Integer call() {
      throw failure;
    }
  }

  @Test
  void aUserErrorIsOneLineAndExitTwoAProgrammingErrorATraceAndExitOne() {
    Outcome user = run("--model", dir.resolve("missing").toString());
    assertEquals(2, user.code(), user.err());
    assertEquals("error: no export at " + dir.resolve("missing") + " (expected a directory written by tools/depot "
        + "export)", user.err().strip());

    // The tool's own error handling around a command that fails the way a bug does.
    StringWriter err = new StringWriter();
    IllegalStateException bug = new IllegalStateException("a chunk of samples went missing");
    int code = SampleCli.commandLine(new Failing(bug), new PrintWriter(new StringWriter(), true),
        new PrintWriter(err, true)).execute();
    assertEquals(1, code, err.toString());
    assertTrue(err.toString().contains("java.lang.IllegalStateException: " + bug.getMessage()), err.toString());
    assertTrue(err.toString().contains("\tat "), "with a stack trace: " + err);
  }

  @Test
  void odeSolversRunTwentyStepsByDefault() {
    for (String name : new String[] {"dpmpp2m", "heun"}) {
      Outcome o = run("--model", export.toString(), "--num", "2", "--sampler", name, "--seed", "1",
          "--out", dir.resolve(name + ".png").toString());
      assertEquals(0, o.code(), o.err());
      assertTrue(o.out().contains("(" + name + ", 20 steps, seed 1)"), o.out());
    }
  }

  @Test
  void badInputIsOneClearLineAndANonZeroExit() throws Exception {
    Path blocker = dir.resolve("a-file");
    Files.writeString(blocker, "x");
    String[][] cases = {
        {"no export at", "--model", dir.resolve("missing").toString()},
        {"unknown sampler 'euler'", "--model", export.toString(), "--sampler", "euler"},
        {"--steps must be between 1 and 1000", "--model", export.toString(), "--steps", "0"},
        {"--steps must be between 1 and 1000", "--model", export.toString(), "--steps", "5000"},
        {"ddpm runs the full chain", "--model", export.toString(), "--sampler", "ddpm", "--steps", "50"},
        {"--steps must be between 1 and 999 for dpmpp2m", "--model", export.toString(), "--sampler", "dpmpp2m",
            "--steps", "1000"},
        {"--eta applies to ddim only; heun fixes its own noise", "--model", export.toString(), "--sampler", "heun", "--eta", "1"},
        {"cannot create the output folder", "--model", export.toString(), "--out", blocker.resolve("x.png").toString()},
        {"--out must name a .png file", "--model", export.toString(), "--out", dir.resolve("x.jpg").toString()},
        {"--class applies to class-conditional models", "--model", export.toString(), "--class", "cat"},
        {"--guidance applies to class-conditional models", "--model", export.toString(), "--guidance", "2",
            "--out", dir.resolve("g.png").toString()},
        {"not a Diffusion Depot export", "--model", dir.toString()},
    };
    for (String[] c : cases) {
      String[] args = java.util.Arrays.copyOfRange(c, 1, c.length);
      Outcome o = run(args);
      assertEquals(2, o.code(), String.join(" ", args) + " -> " + o.err());
      String err = o.err().strip();
      assertTrue(err.startsWith("error: ") && err.contains(c[0]), String.join(" ", args) + " -> " + err);
      assertFalse(err.contains("\n") || err.contains("Exception"), "one line, no stack trace: " + err);
    }
  }
}
