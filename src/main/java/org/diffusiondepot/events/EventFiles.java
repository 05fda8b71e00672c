package org.diffusiondepot.events;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Naming and listing of event files: {@code events.out.tfevents.<unix seconds>.<host>[suffix]}. */
final class EventFiles {
  static final String PREFIX = "events.out.tfevents.";

  private EventFiles() {}

  /**
   * Atomically creates a new, empty event file in {@code logDir} (made if missing). A name already
   * taken (a second writer in the same second) gets a {@code .<pid>} and then a counter suffix;
   * TensorBoard accepts any name containing "tfevents", and the suffixed name sorts after the
   * plain one, so a resumed run still reads as the later file.
   */
  static Path createNew(Path logDir, long epochSeconds) throws IOException {
    Files.createDirectories(logDir);
    String base = PREFIX + String.format("%010d", epochSeconds) + "." + hostname();
    String withPid = base + "." + ProcessHandle.current().pid();
    for (int attempt = 0; ; attempt++) {
      String name = attempt == 0 ? base : attempt == 1 ? withPid : withPid + "." + (attempt - 1);
      try {
        return Files.createFile(logDir.resolve(name));
      } catch (FileAlreadyExistsException taken) {
        // try the next suffix
      }
    }
  }

  /** The event files directly in {@code logDir}, sorted by name, the order TensorBoard reads them. */
  static List<Path> list(Path logDir) throws IOException {
    try (Stream<Path> entries = Files.list(logDir)) {
      return entries
          .filter(p -> p.getFileName().toString().startsWith(PREFIX) && Files.isRegularFile(p))
          .sorted(Comparator.comparing(p -> p.getFileName().toString()))
          .toList();
    }
  }

  /** This machine's name, safe for a file name; cheap first (no DNS), "localhost" as a last resort. */
  static String hostname() {
    String name = null;
    try {
      Path kernel = Path.of("/proc/sys/kernel/hostname");
      if (Files.isReadable(kernel)) {
        name = Files.readString(kernel).trim();
      }
      if (name == null || name.isEmpty()) {
        name = InetAddress.getLocalHost().getHostName();
      }
    } catch (IOException | SecurityException e) {
      name = null;
    }
    if (name == null || name.isBlank()) {
      return "localhost";
    }
    return name.replaceAll("[^A-Za-z0-9._-]", "_");
  }
}
