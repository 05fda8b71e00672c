package org.diffusiondepot.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tensorflow.proto.ConfigProto;

/**
 * A worker other than the chief serves until the chief's last word, which it returns (the run
 * finished) or turns into a one-line error (the chief stopped); a chief that never comes up is one
 * line after the wait. Servers of both tasks run in this JVM, on fresh ports per test. That a
 * worker stops when the chief's process dies is checked with real processes by
 * {@code tools/cluster-check}.
 */
class ClusterWorkerTest {
  static final ConfigProto CONFIG = ClusterConfigs.worker(1, Duration.ofSeconds(20));

  @Test
  @Timeout(60)
  void theWorkerReturnsTheChiefsLineWhenTheRunFinished() throws Exception {
    int p0 = LocalCluster.freePort();
    int p1 = LocalCluster.freePort();
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    CompletableFuture<String> worker = serve(p0, p1, Duration.ofSeconds(30), log);
    ClusterServer chief = ClusterServer.start(ClusterSpec.fromTfConfig(LocalCluster.tfConfig(0, p0, p1)), CONFIG);
    ClusterProbe.awaitAll(chief.spec(), Duration.ofSeconds(10));
    assertEquals(List.of(1), ClusterWorker.tell(chief, true, "run r, checkpoint ckpt-3", Duration.ofSeconds(10)));
    assertEquals("run r, checkpoint ckpt-3", worker.get(30, TimeUnit.SECONDS));
    assertEquals("worker 1 serving on localhost:" + p1 + ", waiting for the chief (worker 0 at localhost:" + p0 + ")\n",
        log.toString(StandardCharsets.UTF_8));
  }

  @Test
  @Timeout(60)
  void aChiefThatStopsOnAnErrorStopsTheWorkerWithItsLine() throws Exception {
    int p0 = LocalCluster.freePort();
    int p1 = LocalCluster.freePort();
    CompletableFuture<String> worker = serve(p0, p1, Duration.ofSeconds(30), new ByteArrayOutputStream());
    ClusterServer chief = ClusterServer.start(ClusterSpec.fromTfConfig(LocalCluster.tfConfig(0, p0, p1)), CONFIG);
    ClusterProbe.awaitAll(chief.spec(), Duration.ofSeconds(10));
    ClusterWorker.tell(chief, false, "no answer within 300 s from worker 2 at b:1\nmore", Duration.ofSeconds(10));
    ExecutionException e = assertThrows(ExecutionException.class, () -> worker.get(30, TimeUnit.SECONDS));
    ClusterException stop = (ClusterException) e.getCause();
    assertEquals("the chief stopped: no answer within 300 s from worker 2 at b:1 more", stop.getMessage());
    assertEquals(ClusterException.EXIT_CODE, stop.exitCode());
  }

  @Test
  @Timeout(60)
  void aChiefThatNeverComesIsOneLineAfterTheWait() {
    int p0 = LocalCluster.freePort();
    int p1 = LocalCluster.freePort();
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> serve(p0, p1, Duration.ofSeconds(1), new ByteArrayOutputStream()).get(30, TimeUnit.SECONDS));
    String message = e.getCause().getMessage();
    assertTrue(message.startsWith("the chief (worker 0 at localhost:" + p0 + ") does not answer within 1 s ("),
        message);
    assertFalse(message.contains("\n"));
  }

  @Test
  @Timeout(30)
  void theChiefTellsNoWorkerThatIsGone() {
    int p0 = LocalCluster.freePort();
    int gone = LocalCluster.freePort();
    ClusterServer chief = ClusterServer.start(ClusterSpec.fromTfConfig(LocalCluster.tfConfig(0, p0, gone)), CONFIG);
    long start = System.nanoTime();
    assertEquals(List.of(), ClusterWorker.tell(chief, false, "bye", Duration.ofSeconds(10)));
    assertTrue((System.nanoTime() - start) / 1e9 < 5);
  }

  private static CompletableFuture<String> serve(int p0, int p1, Duration wait, ByteArrayOutputStream log) {
    ClusterSpec spec = ClusterSpec.fromTfConfig(LocalCluster.tfConfig(1, p0, p1));
    return CompletableFuture.supplyAsync(
        () -> ClusterWorker.serve(spec, CONFIG, wait, new PrintStream(log, true, StandardCharsets.UTF_8)));
  }
}
