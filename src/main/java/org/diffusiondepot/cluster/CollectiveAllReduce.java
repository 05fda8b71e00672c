package org.diffusiondepot.cluster;

import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.op.Scope;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TNumber;

/**
 * The mean of a tensor over the processes of a group, with TensorFlow's CollectiveReduceV2 op:
 * every process builds the same op (same group and instance keys) in its own graph, and each run
 * returns the element-wise mean of all their inputs, exchanged worker to worker over gRPC.
 *
 * <p>Built by name because TensorFlow Java 1.1.0 has no wrapper for it: its {@code
 * CollectiveReduce} builds CollectiveReduceV3 (which needs an NCCL-style communicator resource)
 * and {@code CollectiveReduceScatter} is a different collective with the same inputs.
 *
 * <p>The session's ConfigProto (and the servers' default session config) must name a group
 * leader, {@code experimental.collective_group_leader}, see {@link ClusterConfigs#collective}.
 */
public final class CollectiveAllReduce {
  private CollectiveAllReduce() {}

  /**
   * @param groupSize how many processes take part; each contributes one input
   * @param groupKey the same for every op of one group of processes
   * @param instanceKey different for each tensor reduced in a step, the same across processes
   *     and across steps
   * @param timeoutSeconds how long to wait for the other processes before failing with
   *     DeadlineExceeded; 0 waits forever, so a dead peer hangs the run
   */
  public static <T extends TNumber> Operand<T> mean(Ops tf, Operand<T> input, int groupSize, int groupKey,
      int instanceKey, float timeoutSeconds) {
    return mean(tf, input, groupSize, groupKey, instanceKey, timeoutSeconds, -1);
  }

  /** {@link #mean} with the ring's {@code max_subdivs_per_device} (-1: TensorFlow's choice). */
  public static <T extends TNumber> Operand<T> mean(Ops tf, Operand<T> input, int groupSize, int groupKey,
      int instanceKey, float timeoutSeconds, long maxSubdivsPerDevice) {
    Scope scope = tf.scope();
    Operand<TInt32> size = tf.constant(groupSize);
    Operand<TInt32> group = tf.constant(groupKey);
    Operand<TInt32> instance = tf.constant(instanceKey);
    return scope.opBuilder("CollectiveReduceV2", "AllReduce")
        .addInput(input.asOutput())
        .addInput(size.asOutput())
        .addInput(group.asOutput())
        .addInput(instance.asOutput())
        .addInputList(new Output<?>[0])
        .setAttr("merge_op", "Add")
        .setAttr("final_op", "Div")
        .setAttr("communication_hint", "auto")
        .setAttr("timeout_seconds", timeoutSeconds)
        .setAttr("max_subdivs_per_device", maxSubdivsPerDevice)
        .build()
        .<T>output(0);
  }
}
