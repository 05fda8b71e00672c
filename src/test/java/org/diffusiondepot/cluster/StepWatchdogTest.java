package org.diffusiondepot.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tensorflow.exceptions.TensorFlowException;

/** Worker 0 listens (a plain socket stands in for its server); worker 1's port has nobody on it. */
class StepWatchdogTest {
  @Test
  @Timeout(20)
  void aStepThatOutlivesTheLimitNamesTheDeadWorker() throws Exception {
    try (ServerSocket self = new ServerSocket(0)) {
      int dead = LocalCluster.freePort();
      ClusterSpec spec = ClusterSpec.fromTfConfig(LocalCluster.tfConfig(0, self.getLocalPort(), dead));
      CompletableFuture<String> line = new CompletableFuture<>();
      try (StepWatchdog watchdog = new StepWatchdog(spec, Duration.ofSeconds(1), line::complete)) {
        assertEquals(42, watchdog.run("step 5", () -> 42));
        watchdog.run("step 6", () -> sleep(3000));
      }
      assertEquals("step 6 did not finish within 1 s: worker 1 at localhost:" + dead + " is gone",
          line.get(5, TimeUnit.SECONDS));
    }
  }

  @Test
  @Timeout(20)
  void aFailedStepNamesTheDeadWorker() throws Exception {
    try (ServerSocket self = new ServerSocket(0)) {
      int dead = LocalCluster.freePort();
      ClusterSpec spec = ClusterSpec.fromTfConfig(LocalCluster.tfConfig(0, self.getLocalPort(), dead));
      try (StepWatchdog watchdog = new StepWatchdog(spec, Duration.ofSeconds(10), line -> {})) {
        ClusterException e = assertThrows(ClusterException.class, () -> watchdog.run("step 9", () -> {
          throw new TensorFlowException("Socket closed\nmore detail");
        }));
        assertEquals("step 9 failed (Socket closed): worker 1 at localhost:" + dead + " is gone", e.getMessage());
      }
    }
  }

  private static int sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }
}
