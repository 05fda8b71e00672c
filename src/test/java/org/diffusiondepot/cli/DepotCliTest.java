package org.diffusiondepot.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** How {@code depot} ends: a user error is one line and exit 2, anything else a bug with its trace. */
class DepotCliTest {
  @TempDir Path dir;

  record Outcome(int code, String err) {}

  /** Runs {@code depot} with a test-only subcommand, "fail", that throws whatever it is given. */
  static Outcome run(RuntimeException failure, String... args) {
    CommandLine cli = DepotCli.commandLine();
    cli.addSubcommand("fail", new Fail(failure));
    StringWriter err = new StringWriter();
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(args);
    return new Outcome(code, err.toString());
  }

  @Command(name = "fail")
  record Fail(RuntimeException failure) implements Callable<Integer> {
    @Override
    public Integer call() {
      throw failure;
    }
  }

  private static void assertOneLine(Outcome o, String expected) {
    assertEquals(2, o.code(), o.err());
    String err = o.err().strip();
    assertTrue(err.startsWith("error: ") && err.contains(expected), err);
    assertFalse(err.contains("\n") || err.contains("Exception") || err.contains("\tat "), "one line: " + err);
  }

  @Test
  void aUserErrorIsOneLineAndExitTwo() throws Exception {
    assertOneLine(run(null, "export", dir.resolve("no-run").toString(), "--out", dir.resolve("x").toString()),
        "not a run directory");
    assertOneLine(run(null, "train", "c.pbtxt", "--data", "builtin", "--out", dir.toString(), "--steps", "0"),
        "--steps must be positive, got 0");
    Path notAnExport = dir.resolve("notes");
    Files.createDirectories(notAnExport);
    assertOneLine(run(null, "report", notAnExport.toString(), "--out", dir.resolve("r").toString()),
        "is neither a run directory");
    assertOneLine(run(null, "eval", "--images", dir.toString()), "compare folders with --images DIR --reference DIR");
    assertOneLine(run(null, "eval", dir.toString(), "--sampler", "euler"),
        "--sampler: unknown sampler 'euler'; use one of ddpm, ddim, dpmpp2m, dpmpp2m-sde, heun");
    assertOneLine(run(null, "eval", dir.toString(), "--sampler", "heun", "--eta", "1"),
        "--eta applies to --sampler ddim only, got --sampler heun");
  }

  @Test
  void aProgrammingErrorKeepsItsStackTraceAndExitsOne() {
    for (RuntimeException bug : new RuntimeException[] {
        new IllegalStateException("the loop ran past its end"),
        // no longer taken for bad input: the checks of callers' arguments are bugs too
        new IllegalArgumentException("a negative batch size reached the loader")}) {
      Outcome o = run(bug, "fail");
      assertEquals(1, o.code(), o.err());
      assertTrue(o.err().contains(bug.getClass().getName() + ": " + bug.getMessage()), o.err());
      assertTrue(o.err().contains("\tat "), "with a stack trace: " + o.err());
      assertFalse(o.err().startsWith("error: "), o.err());
    }
  }
}
