package org.diffusiondepot.runtime;

import com.google.common.hash.Hashing;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Which of TensorFlow's CPU kernels, Eigen's or oneDNN's, runs faster on this CPU: for the sampler
 * (tools/depot-sample, tools/depot-serve), per CPU, and for training (tools/depot train and bench),
 * per CPU and config. TensorFlow picks its kernels once per process, from TF_ENABLE_ONEDNN_OPTS, and
 * its default (oneDNN only on CPUs with AVX512_VNNI, AVX512_BF16 or AMX) was the slower one for
 * the forward pass on both CPUs this project measured; for training the faster one depends on the
 * model: on the AVX2 EPYC oneDNN's ran the 32 px benchmark model 10% faster and the 128 px ones no
 * faster (README, "Performance"). So tools/depot-tune-sampler and tools/depot tune-kernels time
 * both and record the faster here, one line per key: {@link #cpuKey(String)} for the sampler,
 * {@link #trainingKey} for a config (a home directory is often shared by the nodes of a cluster).
 * The launchers read the same file (tools/lib/kernels.sh); a TF_ENABLE_ONEDNN_OPTS already set
 * wins over it.
 *
 * <p>The file is tab-separated: key, the TF_ENABLE_ONEDNN_OPTS value, the kernels' name, and the
 * measurement that chose them.
 */
public final class KernelChoices {
  /** The variable that names the file instead of the default place (tests, shared set-ups). */
  public static final String FILE_VARIABLE = "DEPOT_KERNELS_FILE";
  /** TensorFlow's switch between its kernels, read once when its native library starts. */
  public static final String TENSORFLOW_VARIABLE = "TF_ENABLE_ONEDNN_OPTS";
  private static final Path CPUINFO = Path.of("/proc/cpuinfo");

  /** The two sets of kernels and the TF_ENABLE_ONEDNN_OPTS value that selects each. */
  public enum Kernels {
    EIGEN("0"), ONEDNN("1");

    private final String variableValue;

    Kernels(String variableValue) {
      this.variableValue = variableValue;
    }

    public String variableValue() {
      return variableValue;
    }

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }

    static Optional<Kernels> ofVariableValue(String value) {
      for (Kernels k : values()) {
        if (k.variableValue.equals(value)) {
          return Optional.of(k);
        }
      }
      return Optional.empty();
    }
  }

  /**
   * One recorded choice: for {@code key} (a CPU, or a CPU and a training config), run {@code
   * kernels}, because of {@code evidence}.
   */
  public record Choice(String key, Kernels kernels, String evidence) {}

  private KernelChoices() {}

  /** $DEPOT_KERNELS_FILE, else kernels.tsv under $XDG_CACHE_HOME (or ~/.cache)/diffusion-depot. */
  public static Path file(Map<String, String> environment) {
    String named = environment.get(FILE_VARIABLE);
    if (named != null && !named.isBlank()) {
      return Path.of(named);
    }
    String cache = environment.get("XDG_CACHE_HOME");
    Path base = cache != null && !cache.isBlank() ? Path.of(cache) : Path.of(System.getProperty("user.home"), ".cache");
    return base.resolve("diffusion-depot").resolve("kernels.tsv");
  }

  /**
   * The CPU flags that decide which kernels TensorFlow can run and which it picks by default, in the
   * order the key lists them: two CPUs of one model name (virtual machines often show only "AMD
   * EPYC") can differ in them, and this project's did.
   */
  static final List<String> KERNEL_FLAGS = List.of("avx2", "avx512f", "avx512_vnni", "avx512_bf16", "amx_bf16");

  /** This machine's CPU key ({@link #cpuKey(String)}), empty where it cannot be told (not Linux). */
  public static Optional<String> cpuKey() {
    try {
      return Files.isReadable(CPUINFO) ? cpuKey(Files.readString(CPUINFO)) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /**
   * From a /proc/cpuinfo text: the first "model name" (the spaces after its colon removed, nothing
   * else), then in brackets those of {@link #KERNEL_FLAGS} its first "flags" line has, e.g.
   * "AMD EPYC [avx2]". tools/lib/kernels.sh builds the same string; both must agree to the
   * character.
   */
  static Optional<String> cpuKey(String cpuinfo) {
    String model = null;
    String flags = null;
    for (String line : cpuinfo.split("\n")) {
      int colon = line.indexOf(':');
      if (colon <= 0) {
        continue;
      }
      String field = line.substring(0, colon).strip();
      String value = line.substring(colon + 1).replaceFirst("^[ \t]+", "");
      if (model == null && field.equals("model name")) {
        model = value;
      } else if (flags == null && field.equals("flags")) {
        flags = " " + value + " ";
      }
    }
    if (model == null || model.isEmpty() || flags == null) {
      return Optional.empty();
    }
    String present = flags;
    return Optional.of(model + " [" + String.join(" ", KERNEL_FLAGS.stream()
        .filter(f -> present.contains(" " + f + " ")).toList()) + "]");
  }

  /**
   * The key of training runs of {@code config} on CPU {@code cpu}: the CPU key, " training ", and
   * the first 16 hex digits of the SHA-256 of the config file's bytes, so that an edited config is
   * measured again rather than run with another's choice (--set overrides are not part of it).
   * tools/lib/kernels.sh builds the same string with sha256sum.
   */
  public static String trainingKey(String cpu, Path config) {
    try {
      return cpu + " training " + Hashing.sha256().hashBytes(Files.readAllBytes(config)).toString().substring(0, 16);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + config, e);
    }
  }

  /** The choices recorded in {@code file}, none if it does not exist. */
  public static List<Choice> read(Path file) {
    if (!Files.exists(file)) {
      return List.of();
    }
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    List<Choice> choices = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      String[] fields = line.split("\t", -1);
      Optional<Kernels> kernels = fields.length >= 2 ? Kernels.ofVariableValue(fields[1]) : Optional.empty();
      if (fields.length != 4 || fields[0].isEmpty() || kernels.isEmpty()) {
        throw new OptionException(file + " line " + (i + 1) + ": expected four tab-separated fields (CPU key, "
            + "TF_ENABLE_ONEDNN_OPTS value 0 or 1, kernels, evidence), got '" + line
            + "'; delete the line and run tools/depot-tune-sampler or tools/depot tune-kernels again");
      }
      choices.add(new Choice(fields[0], kernels.get(), fields[3]));
    }
    return choices;
  }

  /**
   * What the tuners' --show print for {@code key}: "KEY: onednn (TF_ENABLE_ONEDNN_OPTS=1), EVIDENCE",
   * or "KEY: nothing recorded in FILE; " and {@code whenNone}.
   */
  public static String describe(Path file, String key, String whenNone) {
    return recorded(file, key).map(c -> key + ": " + c.kernels().label() + " (" + TENSORFLOW_VARIABLE + "="
        + c.kernels().variableValue() + "), " + c.evidence())
        .orElse(key + ": nothing recorded in " + file + "; " + whenNone);
  }

  /** The choice recorded for {@code key}, the last one if there are several. */
  public static Optional<Choice> recorded(Path file, String key) {
    Optional<Choice> found = Optional.empty();
    for (Choice c : read(file)) {
      if (c.key().equals(key)) {
        found = Optional.of(c);
      }
    }
    return found;
  }

  /**
   * Records {@code choice} in {@code file}, replacing the line of the same key and keeping the
   * others. Written beside it and moved over it, so a launcher never reads half a file.
   */
  public static void record(Path file, Choice choice) {
    if (choice.key().contains("\t") || choice.key().contains("\n") || choice.evidence().contains("\t")
        || choice.evidence().contains("\n")) {
      throw new IllegalArgumentException("tabs and line breaks cannot be recorded: " + choice);
    }
    List<String> lines = new ArrayList<>();
    lines.add("# TensorFlow's CPU kernels for the sampler (per CPU, tools/depot-tune-sampler) and for training "
        + "(per CPU and config, tools/depot tune-kernels)");
    for (Choice c : read(file)) {
      if (!c.key().equals(choice.key())) {
        lines.add(line(c));
      }
    }
    lines.add(line(choice));
    try {
      Path parent = file.toAbsolutePath().getParent();
      Files.createDirectories(parent);
      Path partial = Files.createTempFile(parent, file.getFileName().toString(), ".partial");
      Files.write(partial, lines, StandardCharsets.UTF_8);
      Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  private static String line(Choice c) {
    return String.join("\t", c.key(), c.kernels().variableValue(), c.kernels().label(), c.evidence());
  }
}
