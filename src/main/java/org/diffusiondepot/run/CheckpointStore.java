package org.diffusiondepot.run;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.zip.CRC32C;
import java.util.regex.Pattern;
import org.tensorflow.Session;

/**
 * Checkpoints of a run in {@code RUN_DIR/checkpoints}: {@code ckpt-<step>.index} and
 * {@code ckpt-<step>.data-*}, a manifest {@code ckpt-<step>.crc} with the size and CRC32C of each
 * of those files, and a {@code latest} file naming the newest complete checkpoint.
 * <p>
 * A checkpoint is written under a temporary prefix, checksummed, moved into place, and only then
 * published by atomically replacing {@code latest}; older ones are pruned after that. A kill at
 * any moment therefore leaves {@code latest} pointing at a complete checkpoint (or absent, before
 * the first), and a failed write (a full disk) removes its temporary files and leaves the
 * published one alone. A file damaged later (a bad disk, a node that wrote garbage) no longer
 * matches its manifest: {@link #verify} finds it before TensorFlow reads it, and a run can fall
 * back to an older checkpoint ({@link #newestFirst}).
 */
public final class CheckpointStore {
  static final String LATEST = "latest";
  static final String MANIFEST = ".crc";
  private static final Pattern NAME = Pattern.compile("ckpt-(\\d+)\\.index");

  /** Writes a session's variables under a prefix; TensorFlow's {@code Session.save} unless a test injects a failure. */
  @FunctionalInterface
  public interface Saver {
    void save(Session session, String prefix);
  }

  private final Path dir;
  private final int keep;
  private final Saver saver;

  public CheckpointStore(Path dir, int keep) {
    this(dir, keep, (session, prefix) -> session.save(prefix));
  }

  public CheckpointStore(Path dir, int keep, Saver saver) {
    this.dir = dir;
    this.keep = Math.max(1, keep);
    this.saver = saver;
  }

  public Path directory() {
    return dir;
  }

  /**
   * Saves every variable of the session's graph as the checkpoint of {@code step}.
   *
   * @throws CheckpointWriteException when the files cannot be written (the previous checkpoint stays published)
   */
  public Path save(Session session, long step) throws IOException {
    String name = name(step);
    String tmpName = ".tmp-" + name;
    try {
      Files.createDirectories(dir);
      saver.save(session, dir.resolve(tmpName).toString());
      List<Path> written = new ArrayList<>();
      try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, tmpName + ".*")) {
        files.forEach(written::add);
      }
      StringBuilder manifest = new StringBuilder();
      for (Path f : written) {
        String suffix = f.getFileName().toString().substring(tmpName.length());
        fsync(f);
        manifest.append(name).append(suffix).append(' ').append(Files.size(f)).append(' ')
            .append(Long.toHexString(crc32c(f))).append('\n');
      }
      Path tmpManifest = dir.resolve(tmpName + MANIFEST);
      Files.writeString(tmpManifest, manifest, StandardCharsets.UTF_8);
      fsync(tmpManifest);
      for (Path f : written) {
        move(f, dir.resolve(name + f.getFileName().toString().substring(tmpName.length())));
      }
      move(tmpManifest, dir.resolve(name + MANIFEST));
      Path tmpLatest = dir.resolve(".tmp-" + LATEST);
      Files.writeString(tmpLatest, name + "\n", StandardCharsets.UTF_8);
      fsync(tmpLatest);
      move(tmpLatest, dir.resolve(LATEST));
      fsync(dir);
    } catch (IOException | RuntimeException e) {
      removeTemporaries(tmpName);
      Optional<Path> previous = latestOrEmpty();
      throw new CheckpointWriteException("cannot write checkpoint " + name + " to " + dir + ": " + reason(e)
          + (previous.isPresent() ? "; the previous checkpoint " + previous.get() + " is still published"
              : "; no checkpoint was published yet"), e);
    }
    prune(name);
    return dir.resolve(name);
  }

  /**
   * Deletes what interrupted saves left behind ({@code .tmp-*} files); call it while holding the
   * run's lock, so no other job is writing them.
   */
  public void removeInterruptedSaves() throws IOException {
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, ".tmp-*")) {
      for (Path f : files) {
        Files.deleteIfExists(f);
      }
    }
  }

  /** The prefix of the newest published checkpoint, if any. */
  public Optional<Path> latest() throws IOException {
    Path pointer = dir.resolve(LATEST);
    if (!Files.exists(pointer)) {
      return Optional.empty();
    }
    String name = Files.readString(pointer, StandardCharsets.UTF_8).trim();
    Path prefix = dir.resolve(name);
    if (!Files.exists(dir.resolve(name + ".index"))) {
      throw new IOException(pointer + " names " + name + ", but " + name + ".index is missing");
    }
    return Optional.of(prefix);
  }

  /**
   * Every published checkpoint, newest first: the one {@code latest} names, then the older ones
   * kept beside it. A run that cannot restore the first tries the next.
   */
  public List<Path> newestFirst() throws IOException {
    List<Long> steps = publishedSteps();
    Path pointer = dir.resolve(LATEST);
    long newest = Long.MAX_VALUE;
    if (Files.exists(pointer)) {
      String name = Files.readString(pointer, StandardCharsets.UTF_8).trim();
      Matcher m = Pattern.compile("ckpt-(\\d+)").matcher(name);
      if (m.matches()) {
        newest = Long.parseLong(m.group(1));
      }
    } else if (!steps.isEmpty()) {
      return List.of();
    }
    List<Path> out = new ArrayList<>();
    for (int i = steps.size() - 1; i >= 0; i--) {
      if (steps.get(i) <= newest) {
        out.add(dir.resolve(name(steps.get(i))));
      }
    }
    return out;
  }

  /**
   * Checks a checkpoint's files against its manifest (sizes and CRC32C): empty if they match (or
   * it predates manifests), otherwise what is wrong.
   */
  public Optional<String> verify(Path prefix) throws IOException {
    Path manifest = Path.of(prefix + MANIFEST);
    if (!Files.exists(manifest)) {
      return Files.exists(Path.of(prefix + ".index")) ? Optional.empty()
          : Optional.of(prefix.getFileName() + ".index is missing");
    }
    for (String line : Files.readAllLines(manifest, StandardCharsets.UTF_8)) {
      String[] parts = line.trim().split(" ");
      if (parts.length != 3) {
        return Optional.of(manifest.getFileName() + " is damaged");
      }
      Path file = dir.resolve(parts[0]);
      if (!Files.exists(file)) {
        return Optional.of(parts[0] + " is missing");
      }
      if (Files.size(file) != Long.parseLong(parts[1])) {
        return Optional.of(parts[0] + " has " + Files.size(file) + " bytes, " + parts[1] + " were written");
      }
      if (crc32c(file) != Long.parseUnsignedLong(parts[2], 16)) {
        return Optional.of(parts[0] + " does not match its checksum");
      }
    }
    return Optional.empty();
  }

  /** The step a checkpoint prefix was saved at. */
  public static long stepOf(Path prefix) {
    String name = prefix.getFileName().toString();
    return Long.parseLong(name.substring(name.indexOf('-') + 1));
  }

  private static String name(long step) {
    return String.format("ckpt-%08d", step);
  }

  private Optional<Path> latestOrEmpty() {
    try {
      return latest();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private List<Long> publishedSteps() throws IOException {
    List<Long> steps = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return steps;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "ckpt-*.index")) {
      for (Path f : files) {
        Matcher m = NAME.matcher(f.getFileName().toString());
        if (m.matches()) {
          steps.add(Long.parseLong(m.group(1)));
        }
      }
    }
    steps.sort(null);
    return steps;
  }

  private void prune(String current) throws IOException {
    List<Long> steps = publishedSteps();
    for (int i = 0; i < steps.size() - keep; i++) {
      String name = name(steps.get(i));
      if (name.equals(current)) {
        continue;
      }
      try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, name + ".*")) {
        for (Path f : files) {
          Files.deleteIfExists(f);
        }
      }
    }
  }

  private void removeTemporaries(String tmpName) {
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, tmpName + ".*")) {
      for (Path f : files) {
        Files.deleteIfExists(f);
      }
    } catch (IOException ignored) {
      // nothing was published under these names; a later save or run cleans them up
    }
  }

  private static String reason(Throwable e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }

  private static long crc32c(Path file) throws IOException {
    CRC32C crc = new CRC32C();
    byte[] buffer = new byte[1 << 20];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buffer)) > 0; ) {
        crc.update(buffer, 0, n);
      }
    }
    return crc.getValue();
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static void fsync(Path path) {
    try (FileChannel ch = Files.isDirectory(path)
        ? FileChannel.open(path, StandardOpenOption.READ)
        : FileChannel.open(path, StandardOpenOption.WRITE)) {
      ch.force(true);
    } catch (IOException e) {
      // Some file systems refuse fsync on directories; the rename order still protects us.
    }
  }
}
