package org.diffusiondepot.train;

import java.util.List;
import org.diffusiondepot.data.Batch;
import org.diffusiondepot.task.SignatureInput;
import org.tensorflow.Tensor;

/**
 * The host-side half of a training step: rows of a training batch turned into the tensors the
 * step's graph takes (images, or x_0 and the task's conditioning). The chief encodes its own rows
 * with it; on a cluster every other worker encodes its rows with the same code and hands them to
 * its towers through a queue on its own device ({@link BatchShards}), so no worker's data passes
 * through the chief.
 */
public interface BatchEncoder extends AutoCloseable {
  /** Makes a model's encoder from what its trainer is made from (on a worker: without building its graph). */
  @FunctionalInterface
  interface Factory {
    BatchEncoder create(TrainingContext context);
  }

  /** The graph's batch inputs, in the order {@link #encode} returns them; shapes are per example. */
  List<SignatureInput> inputs();

  /**
   * The tensors of rows {@code firstRow .. firstRow + rows.size() - 1} of the batch of {@code step},
   * in the order of {@link #inputs}; every per-example draw depends only on (step, row), so the
   * rows of several workers together equal what one process encodes for the whole batch. The
   * caller closes them.
   */
  List<Tensor> encode(Batch rows, long step, int firstRow);

  @Override
  default void close() {}
}
