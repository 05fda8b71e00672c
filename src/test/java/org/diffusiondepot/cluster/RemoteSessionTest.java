package org.diffusiondepot.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;

/**
 * Two TensorFlow servers in this JVM (TensorFlow allows several per process; they cannot be
 * stopped, so they live until the test JVM exits) and sessions that run on them.
 */
class RemoteSessionTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);
  private static final ConfigProto CONFIG = ClusterConfigs.worker(1, TIMEOUT);
  private static ClusterServer chief;

  @BeforeAll
  static void startTwoWorkers() {
    int p0 = LocalCluster.freePort();
    int p1 = LocalCluster.freePort();
    chief = ClusterServer.start(ClusterSpec.fromTfConfig(LocalCluster.tfConfig(0, p0, p1)), CONFIG);
    ClusterServer.start(ClusterSpec.fromTfConfig(LocalCluster.tfConfig(1, p0, p1)), CONFIG);
    ClusterProbe.awaitAll(chief.spec(), TIMEOUT);
  }

  @Test
  @Timeout(60)
  void runsAnOpOnTheOtherTask() {
    assertEquals("grpc://localhost:" + chief.spec().ownAddress().split(":")[1], chief.target());
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> product = tf.withDevice(org.tensorflow.DeviceSpec.newBuilder()
          .job("worker").replica(0).task(1).deviceType(org.tensorflow.DeviceSpec.DeviceType.CPU).deviceIndex(0).build())
          .math.mul(tf.constant(new float[] {1, 2, 3}), tf.constant(4f));
      try (Session s = RemoteSession.open(g, chief.target(), CONFIG, TIMEOUT);
          Result r = s.runner().fetch(product).run()) {
        TFloat32 t = (TFloat32) r.get(0);
        assertEquals(8f, t.getFloat(1));
        assertEquals(12f, t.getFloat(2));
      }
      assertEquals(ClusterSpec.workerCpu(1), g.operation(product.op().name()).device());
    }
  }

  @Test
  @Timeout(30)
  void anUnreachableTargetFailsInSecondsWithOneLine() {
    String nobody = "grpc://localhost:" + LocalCluster.freePort();
    try (Graph g = new Graph()) {
      long start = System.nanoTime();
      ClusterException e = assertThrows(ClusterException.class,
          () -> RemoteSession.open(g, nobody, CONFIG, Duration.ofSeconds(1)));
      double seconds = (System.nanoTime() - start) / 1e9;
      assertTrue(e.getMessage().startsWith(nobody + " does not answer within 1 s ("), e.getMessage());
      assertFalse(e.getMessage().contains("\n"));
      assertTrue(seconds < 5, seconds + " s");
    }
  }

  @Test
  @Timeout(30)
  void withoutTheProbeTheOperationTimeoutStillBoundsTheFirstRun() {
    // What TensorFlow alone does against a port nobody listens on: without operation_timeout_in_ms
    // it retried for over 150 s (measured); with it the run fails after about that long.
    String nobody = "grpc://localhost:" + LocalCluster.freePort();
    try (Graph g = new Graph()) {
      Operand<TFloat32> c = Ops.create(g).constant(1f);
      long start = System.nanoTime();
      try (Session s = RemoteSession.openUnprobed(g, nobody, ClusterConfigs.worker(1, Duration.ofSeconds(2)))) {
        TensorFlowException e = assertThrows(TensorFlowException.class, () -> s.runner().fetch(c).run().close());
        double seconds = (System.nanoTime() - start) / 1e9;
        assertEquals("Deadline Exceeded", e.getMessage());
        assertTrue(seconds < 10, seconds + " s");
      }
    }
  }

  @Test
  @Timeout(30)
  void aMissingWorkerIsNamed() {
    int p0 = LocalCluster.freePort();
    int p1 = LocalCluster.freePort();
    ClusterSpec spec = ClusterSpec.fromTfConfig(LocalCluster.tfConfig(0, p0, p1));
    ClusterServer.start(spec, CONFIG);
    ClusterException e = assertThrows(ClusterException.class, () -> ClusterProbe.awaitAll(spec, Duration.ofSeconds(1)));
    assertTrue(e.getMessage().startsWith("no answer within 1 s from worker 1 at localhost:" + p1 + " ("), e.getMessage());
  }

  @Test
  @Timeout(30)
  void aTakenPortIsOneLine() throws Exception {
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0)) {
      ClusterSpec spec = ClusterSpec.fromTfConfig(LocalCluster.tfConfig(0, taken.getLocalPort()));
      ClusterException e = assertThrows(ClusterException.class, () -> ClusterServer.start(spec, CONFIG));
      assertTrue(e.getMessage().startsWith("cannot start the server of worker 0 on localhost:" + taken.getLocalPort() + ": "),
          e.getMessage());
      assertFalse(e.getMessage().contains("\n"));
    }
  }
}
