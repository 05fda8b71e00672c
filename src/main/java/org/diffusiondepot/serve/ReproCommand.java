package org.diffusiondepot.serve;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The {@code depot-sample} command line that reproduces a request: same export, seed and settings,
 * and the uploads under the names the page offers them for download. The server samples with the
 * same library calls as the command line ({@link JobRequest#sampling}), so the same pixels come out.
 */
final class ReproCommand {
  /** What the command line's default {@code --batch} is; the chunking decides the noise of each chunk. */
  static final int CLI_BATCH = 16;
  private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9@%+=:,./_-]+");

  private ReproCommand() {}

  /** The arguments after {@code tools/depot-sample}, writing the grid and one PNG per sample. */
  static List<String> arguments(Path exportDir, JobRequest request, int batch) {
    SampleSettings s = request.settings();
    List<String> args = new ArrayList<>(List.of("--model", exportDir.toAbsolutePath().normalize().toString(),
        "--num", Integer.toString(s.num()), "--sampler", SamplerChoices.name(s.method())));
    if (s.steps() != null) {
      args.addAll(List.of("--steps", Integer.toString(s.steps())));
    }
    if (SamplerChoices.takesEta(s.method())) {
      args.addAll(List.of("--eta", SampleSettings.plain(s.eta())));
    }
    args.addAll(List.of("--seed", Long.toString(s.seed())));
    if (s.className() != null) {
      args.addAll(List.of("--class", s.className()));
    }
    if (s.guidance() != null) {
      args.addAll(List.of("--guidance", SampleSettings.plain(s.guidance())));
    }
    TaskInputs in = request.inputs();
    if (in.mask() != null) {
      args.addAll(List.of("--image", in.image().name(), "--mask", in.mask().name()));
    } else if (in.image() != null) {
      args.addAll(List.of("--low-res", in.image().name()));
    }
    if (batch != CLI_BATCH) {
      args.addAll(List.of("--batch", Integer.toString(batch)));
    }
    args.addAll(List.of("--out", "samples.png", "--out-dir", "samples/"));
    return args;
  }

  /** The whole command as a POSIX shell reads it. */
  static String shell(List<String> arguments) {
    return "tools/depot-sample " + arguments.stream().map(ReproCommand::quote).collect(Collectors.joining(" "));
  }

  static String quote(String arg) {
    return SAFE.matcher(arg).matches() ? arg : "'" + arg.replace("'", "'\\''") + "'";
  }
}
