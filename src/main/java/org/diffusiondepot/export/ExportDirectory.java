package org.diffusiondepot.export;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.diffusiondepot.config.ConfigException;
import org.diffusiondepot.runtime.OptionException;
import org.diffusiondepot.sampler.ModelCards;

/**
 * The file side of every export (diffusion models and first stages): staging beside the target,
 * and publishing by renames so that a failed or interrupted export never leaves half a model where
 * a sampler would read it.
 */
public final class ExportDirectory {
  private ExportDirectory() {}

  /** Refuses to overwrite anything but an earlier export; returns an empty staging folder beside it. */
  public static Path prepareTarget(Path exportDir) throws IOException {
    if (Files.exists(exportDir)) {
      boolean empty = false;
      if (Files.isDirectory(exportDir)) {
        try (Stream<Path> entries = Files.list(exportDir)) {
          empty = entries.findAny().isEmpty();
        } catch (IOException e) {
          throw OptionException.of("--out", exportDir, e);
        }
      }
      if (!empty && !Files.exists(exportDir.resolve(ModelCards.FILE))) {
        throw new ConfigException(exportDir + " exists and is not an export; choose another --out");
      }
    }
    Path parent = exportDir.toAbsolutePath().getParent();
    try {
      Files.createDirectories(parent);
    } catch (IOException e) {
      throw OptionException.of("--out", exportDir, e);
    }
    Path staging = parent.resolve(".tmp-" + exportDir.getFileName());
    deleteRecursively(staging);
    return staging;
  }

  /** Replaces the target with the staged export in two renames, so a reader never sees half of one. */
  public static void publish(Path staging, Path exportDir) throws IOException {
    Path old = exportDir.toAbsolutePath().getParent().resolve(".old-" + exportDir.getFileName());
    deleteRecursively(old);
    if (Files.exists(exportDir)) {
      Files.move(exportDir, old);
    }
    Files.move(staging, exportDir);
    deleteRecursively(old);
  }

  public static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
