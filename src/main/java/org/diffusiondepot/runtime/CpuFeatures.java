package org.diffusiondepot.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What the CPU offers 16-bit training, read from Linux's {@code /proc/cpuinfo}. Without
 * AVX512_BF16 or AMX, TensorFlow's bf16 products run emulated: the tiny benchmark model trained 9x
 * slower in BF16 than in FP32 on an AVX2-only AMD EPYC (README, "Mixed precision").
 */
public final class CpuFeatures {
  private static final Path CPUINFO = Path.of("/proc/cpuinfo");

  private CpuFeatures() {}

  /** Whether this CPU has bf16 arithmetic; empty where it cannot be told (not Linux). */
  public static Optional<Boolean> hasBf16() {
    try {
      return Files.isReadable(CPUINFO) ? hasBf16(Files.readString(CPUINFO)) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** From the text of a {@code /proc/cpuinfo}: AVX512_BF16 or AMX-BF16 among the first CPU's flags. */
  static Optional<Boolean> hasBf16(String cpuinfo) {
    for (String line : cpuinfo.split("\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).trim().equals("flags")) {
        Set<String> flags = Arrays.stream(line.substring(colon + 1).trim().split("\\s+")).collect(Collectors.toSet());
        return Optional.of(flags.contains("avx512_bf16") || flags.contains("amx_bf16"));
      }
    }
    return Optional.empty();
  }

  /**
   * A note for the start of a BF16 run on a CPU without bf16 arithmetic and without a GPU, or
   * empty.
   */
  public static Optional<String> bf16Warning(boolean gpu) {
    if (gpu || !hasBf16().equals(Optional.of(false))) {
      return Optional.empty();
    }
    return Optional.of("this CPU has neither AVX512_BF16 nor AMX, so TensorFlow emulates bf16 products: expect "
        + "BF16 to run several times slower than FP32 here (README, \"Mixed precision\")");
  }
}
