package org.diffusiondepot.cluster;

import java.time.Duration;
import org.tensorflow.proto.ConfigProto;

/** Session settings for processes that train together over TensorFlow's gRPC runtime. */
public final class ClusterConfigs {
  private ClusterConfigs() {}

  /**
   * @param threads intra-op threads of this process's CPU device (inter-op gets the same number)
   * @param operationTimeout how long any remote call may take, {@code operation_timeout_in_ms}.
   *     Without it a session whose target does not answer retries forever; with it the first run
   *     fails with "Deadline Exceeded" after this long. It must exceed the longest training step.
   */
  public static ConfigProto worker(int threads, Duration operationTimeout) {
    return ConfigProto.newBuilder()
        .setIntraOpParallelismThreads(threads)
        .setInterOpParallelismThreads(threads)
        .setOperationTimeoutInMs(operationTimeout.toMillis())
        .build();
  }

  /**
   * {@link #worker} for between-graph replication with collective ops: worker 0 leads the group
   * (it assigns the step sequence that keeps every process's collectives in step), and the
   * session sees only this task's devices, so creating it does not wait for the other workers.
   * Servers need the same settings as their default session config, since the collective runtime
   * of a server is built from it.
   */
  public static ConfigProto collective(int threads, Duration operationTimeout, int task) {
    ConfigProto.Builder b = worker(threads, operationTimeout).toBuilder();
    b.getExperimentalBuilder().setCollectiveGroupLeader(ClusterSpec.workerCpu(0).replace("/device:CPU:0", ""));
    b.addDeviceFilters("/job:" + ClusterSpec.WORKER + "/task:" + task);
    return b.build();
  }
}
