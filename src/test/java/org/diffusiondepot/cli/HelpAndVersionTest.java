package org.diffusiondepot.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.tensorflow.TensorFlow;
import picocli.CommandLine;

/** {@code depot --help}, {@code depot help COMMAND}, {@code COMMAND --help} and {@code --version}. */
class HelpAndVersionTest {
  record Outcome(int code, String out, String err) {}

  static Outcome depot(String... args) {
    CommandLine cli = DepotCli.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(args);
    return new Outcome(code, out.toString(), err.toString());
  }

  /** The version in pom.xml: what --version must print, stamped in by the build. */
  static String pomVersion() throws IOException {
    Matcher m = Pattern.compile("<artifactId>diffusion-depot</artifactId>\\s*<version>([^<]+)</version>")
        .matcher(Files.readString(Path.of("pom.xml")));
    assertTrue(m.find(), "pom.xml names its version");
    return m.group(1);
  }

  @Test
  void everySubcommandAnswersHelpWithItsUsageExamplesAndExitCodes() {
    Set<String> commands = DepotCli.commandLine().getSubcommands().keySet();
    assertEquals(Set.of("help", "describe", "train", "export", "eval", "report", "bench", "tune-kernels"), commands);
    for (String command : commands) {
      if (command.equals("help")) {
        continue;
      }
      Outcome help = depot(command, "--help");
      assertEquals(0, help.code(), command + ": " + help.err());
      assertTrue(help.out().startsWith("Usage: depot " + command + " "), help.out());
      assertTrue(help.out().contains("--help") && help.out().contains("--version"), help.out());
      assertTrue(help.out().contains("Exit codes:") && help.out().contains("3   a numerical failure"), help.out());
      // examples of the command itself, not only the top-level ones inherited
      assertTrue(help.out().contains("Examples:\n  tools/depot " + command + " "), help.out());
      assertEquals("", help.err());

      Outcome viaHelp = depot("help", command);
      assertEquals(0, viaHelp.code(), viaHelp.err());
      assertEquals(help.out(), viaHelp.out());
    }
  }

  @Test
  void theTopLevelHelpListsEveryCommand() {
    for (String[] args : new String[][] {{"--help"}, {"help"}, {"-h"}}) {
      Outcome o = depot(args);
      assertEquals(0, o.code(), o.err());
      assertTrue(o.out().startsWith("Usage: depot [-hV] [COMMAND]"), o.out());
      for (String command : new String[] {"describe", "train", "export", "eval", "report", "bench"}) {
        assertTrue(o.out().contains("\n  " + command + " "), command + " in " + o.out());
      }
    }
  }

  @Test
  void noCommandOrAnUnknownOneIsBadInput() {
    Outcome none = depot();
    assertEquals(2, none.code());
    assertTrue(none.err().startsWith("Missing required subcommand") && none.err().contains("Usage: depot"),
        none.err());
    Outcome unknown = depot("sample");
    assertEquals(2, unknown.code());
    assertTrue(unknown.err().contains("Unmatched argument at index 0: 'sample'"), unknown.err());
  }

  @Test
  void versionNamesTheBuildTensorFlowAndTheLoadedNative() throws IOException {
    for (String[] args : new String[][] {{"--version"}, {"-V"}, {"train", "--version"}}) {
      Outcome o = depot(args);
      assertEquals(0, o.code(), o.err());
      String[] lines = o.out().strip().split("\n");
      assertEquals(4, lines.length, o.out());
      assertEquals("depot " + pomVersion(), lines[0]);
      assertEquals("TensorFlow " + TensorFlow.version() + " (TensorFlow Java 1.1.0)", lines[1]);
      // the tests run on the CPU native of this machine's platform; a CUDA build would say "GPU build"
      assertTrue(lines[2].matches("native (linux-x86_64|linux-x86_64-gpu|macosx-arm64|windows-x86_64) "
          + "\\((CPU build|GPU build, CUDA)\\), devices: CPU:0.*"), lines[2]);
      assertTrue(lines[3].matches("CPU kernels: (Eigen|oneDNN)'s \\(TF_ENABLE_ONEDNN_OPTS.*\\)"), lines[3]);
    }
  }
}
