package org.diffusiondepot.run;

import java.nio.file.Path;

/** A separate process that takes a run directory's lock, says so, and waits to be killed. */
public final class LockHolder {
  private LockHolder() {}

  public static void main(String[] args) throws Exception {
    try (RunLock lock = RunLock.acquire(Path.of(args[0]))) {
      System.out.println("locked");
      System.out.flush();
      Thread.sleep(120_000);
    }
  }
}
