package org.diffusiondepot.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * The process's peak resident memory (Linux's VmHWM, the high-water mark of its RSS): on a CPU
 * this is what a training step costs, TensorFlow's buffers and the JVM's heap together, as
 * {@code /usr/bin/time -v} would report it.
 */
public final class PeakMemory {
  private PeakMemory() {}

  /** Bytes, or empty where /proc is not there (macOS, Windows). */
  public static OptionalLong bytes() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          String[] parts = line.substring(6).trim().split("\\s+");
          return OptionalLong.of(Long.parseLong(parts[0]) * 1024);
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux: no figure
    }
    return OptionalLong.empty();
  }

  /** E.g. "peak memory 1.62 GB (host RSS)", or a note that it is not measured here. */
  public static String describe() {
    OptionalLong bytes = bytes();
    return bytes.isPresent() ? String.format("peak memory %.2f GB (host RSS)", bytes.getAsLong() / 1e9)
        : "peak memory not measured on this system";
  }
}
