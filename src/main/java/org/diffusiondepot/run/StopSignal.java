package org.diffusiondepot.run;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Turns Ctrl-C / SIGTERM into a request that the training loop sees between steps: the JVM's
 * shutdown hook raises the flag and then waits (up to two minutes) until the loop has written its
 * final checkpoint and {@link #close()} releases it, so a stopped run loses no finished steps.
 */
public final class StopSignal implements AutoCloseable {
  private volatile boolean requested;
  private final CountDownLatch finished = new CountDownLatch(1);
  private final Thread hook;

  public StopSignal(String threadName) {
    hook = new Thread(() -> {
      requested = true;
      try {
        finished.await(120, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, threadName);
    Runtime.getRuntime().addShutdownHook(hook);
  }

  public boolean requested() {
    return requested;
  }

  @Override
  public void close() {
    finished.countDown();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running: it is waiting for the latch just released
    }
  }
}
