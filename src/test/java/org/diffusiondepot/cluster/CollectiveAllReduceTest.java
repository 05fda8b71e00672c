package org.diffusiondepot.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.diffusiondepot.runtime.Tensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tensorflow.DeviceSpec;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;

/**
 * Between-graph replication in miniature: two workers (two servers in this JVM), each with its
 * own graph and session, average their tensors with CollectiveReduceV2 over gRPC.
 */
class CollectiveAllReduceTest {
  @Test
  @Timeout(60)
  void twoWorkersGetTheMeanOfTheirInputs() throws Exception {
    int p0 = LocalCluster.freePort();
    int p1 = LocalCluster.freePort();
    CompletableFuture<float[]> worker1 = CompletableFuture.supplyAsync(() -> meanOnWorker(1, p0, p1));
    float[] worker0 = meanOnWorker(0, p0, p1);
    float[] expected = {1.5f, 3f, 4.5f};
    assertArrayEquals(expected, worker0);
    assertArrayEquals(expected, worker1.get(30, TimeUnit.SECONDS));
  }

  /** Worker {@code task} contributes (task + 1) * [1, 2, 3] and returns the group's mean. */
  private static float[] meanOnWorker(int task, int p0, int p1) {
    ConfigProto config = ClusterConfigs.collective(1, Duration.ofSeconds(20), task);
    ClusterServer server = ClusterServer.start(ClusterSpec.fromTfConfig(LocalCluster.tfConfig(task, p0, p1)), config);
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g).withDevice(DeviceSpec.newBuilder().job("worker").replica(0).task(task)
          .deviceType(DeviceSpec.DeviceType.CPU).deviceIndex(0).build());
      Operand<TFloat32> mine = tf.math.mul(tf.constant(new float[] {1, 2, 3}), tf.constant(task + 1f));
      Operand<TFloat32> mean = CollectiveAllReduce.mean(tf, mine, 2, 7, 1, 20f);
      try (Session s = RemoteSession.open(g, server.target(), config, Duration.ofSeconds(10));
          Result r = s.runner().fetch(mean).run()) {
        return Tensors.floats((TFloat32) r.get(0));
      }
    }
  }
}
