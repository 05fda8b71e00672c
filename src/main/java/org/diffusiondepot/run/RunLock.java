package org.diffusiondepot.run;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * One owner per run directory: an OS lock on {@code RUN_DIR/.lock}, held while a job writes to the
 * run. A second job (a twin launch, a job array's duplicate) is refused with the holder's process,
 * host and start time. The operating system releases the lock when the owner exits, however it
 * exits, so a crashed or killed owner never blocks the next run: the lock file it leaves behind is
 * simply taken over.
 */
public final class RunLock implements AutoCloseable {
  public static final String FILE = ".lock";

  private final FileChannel channel;
  private final FileLock lock;

  private RunLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /** Takes the run directory's lock, creating the directory; refuses if a live process holds it. */
  public static RunLock acquire(Path runDir) throws IOException {
    Files.createDirectories(runDir);
    Path file = runDir.resolve(FILE);
    FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
        StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException sameProcess) {
      lock = null;
    } catch (IOException e) {
      channel.close();
      throw e;
    }
    if (lock == null) {
      String holder = Files.readString(file, StandardCharsets.UTF_8).strip();
      channel.close();
      throw new RunBusyException(runDir + " is in use by another training job (" + (holder.isEmpty() ? "unknown holder"
          : holder) + "); wait for it to finish or stop it, or train into another --out directory");
    }
    String me = "pid " + ProcessHandle.current().pid() + " on " + host() + " since " + Instant.now()
        + " (" + ManagementFactory.getRuntimeMXBean().getName() + ")";
    channel.truncate(0);
    channel.write(ByteBuffer.wrap((me + "\n").getBytes(StandardCharsets.UTF_8)), 0);
    channel.force(true);
    return new RunLock(channel, lock);
  }

  private static String host() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "an unknown host";
    }
  }

  @Override
  public void close() throws IOException {
    try {
      lock.release();
    } finally {
      channel.close();
    }
  }
}
