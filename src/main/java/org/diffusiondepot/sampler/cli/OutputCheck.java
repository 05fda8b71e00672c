package org.diffusiondepot.sampler.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.diffusiondepot.sampler.SamplingException;

/** Checks output paths before minutes of sampling, not after. */
final class OutputCheck {
  private OutputCheck() {}

  static void writableFile(Path file) {
    if (!file.getFileName().toString().toLowerCase().endsWith(".png")) {
      throw new SamplingException("--out must name a .png file, got " + file);
    }
    if (Files.isDirectory(file)) {
      throw new SamplingException("--out " + file + " is a directory; give a file name ending in .png");
    }
    Path parent = file.toAbsolutePath().getParent();
    writableDirectory(parent);
    if (Files.exists(file) && !Files.isWritable(file)) {
      throw new SamplingException("cannot write " + file + " (permission denied)");
    }
  }

  static void writableDirectory(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new SamplingException("cannot create the output folder " + dir + ": " + e.getMessage());
    }
    if (!Files.isWritable(dir)) {
      throw new SamplingException("the output folder " + dir + " is not writable");
    }
  }
}
