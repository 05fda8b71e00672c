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
}
