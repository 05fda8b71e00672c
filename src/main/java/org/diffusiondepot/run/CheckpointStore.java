package org.diffusiondepot.run;

import java.io.IOException;
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
import java.util.regex.Pattern;
import org.tensorflow.Session;

/**
 * Checkpoints of a run in {@code RUN_DIR/checkpoints}: {@code ckpt-<step>.index} and
 * {@code ckpt-<step>.data-*}, plus a {@code latest} file naming the newest complete one.
 * <p>
 * A checkpoint is written under a temporary prefix, moved into place, and only then published by
 * atomically replacing {@code latest}; older ones are pruned after that. A kill at any moment
 * therefore leaves {@code latest} pointing at a complete checkpoint (or absent, before the first).
 */
public final class CheckpointStore {
  static final String LATEST = "latest";
  private static final Pattern NAME = Pattern.compile("ckpt-(\\d+)\\.index");

  private final Path dir;
  private final int keep;

  public CheckpointStore(Path dir, int keep) {
    this.dir = dir;
    this.keep = Math.max(1, keep);
  }

  public Path directory() {
    return dir;
  }

  /** Saves every variable of the session's graph as the checkpoint of {@code step}. */
  public Path save(Session session, long step) throws IOException {
    Files.createDirectories(dir);
    String name = String.format("ckpt-%08d", step);
    String tmpName = ".tmp-" + name;
    session.save(dir.resolve(tmpName).toString());
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, tmpName + ".*")) {
      for (Path f : files) {
        String suffix = f.getFileName().toString().substring(tmpName.length());
        fsync(f);
        move(f, dir.resolve(name + suffix));
      }
    }
    Path tmpLatest = dir.resolve(".tmp-" + LATEST);
    Files.writeString(tmpLatest, name + "\n", StandardCharsets.UTF_8);
    fsync(tmpLatest);
    move(tmpLatest, dir.resolve(LATEST));
    fsync(dir);
    prune(name);
    return dir.resolve(name);
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

  /** The step a checkpoint prefix was saved at. */
  public static long stepOf(Path prefix) {
    String name = prefix.getFileName().toString();
    return Long.parseLong(name.substring(name.indexOf('-') + 1));
  }

  private void prune(String current) throws IOException {
    List<Long> steps = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "ckpt-*.index")) {
      for (Path f : files) {
        Matcher m = NAME.matcher(f.getFileName().toString());
        if (m.matches()) {
          steps.add(Long.parseLong(m.group(1)));
        }
      }
    }
    steps.sort(null);
    for (int i = 0; i < steps.size() - keep; i++) {
      String name = String.format("ckpt-%08d", steps.get(i));
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
