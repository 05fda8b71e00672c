package org.diffusiondepot.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.diffusiondepot.data.Batch;
import org.diffusiondepot.runtime.Tensors;
import org.diffusiondepot.sampler.FirstStageModel;
import org.diffusiondepot.task.DiffusionTask;
import org.diffusiondepot.task.SignatureInput;
import org.tensorflow.Tensor;

/**
 * A denoiser's training rows as tensors: x_0 (the images, or their latents for a latent model)
 * and the task's conditioning, drawn per (step, row).
 */
final class DiffusionBatches implements BatchEncoder {
  static final String X0 = "x0";
  private final DiffusionTask task;
  /** The first stage this encoder opened itself (on a worker), or null. */
  private final FirstStageModel owned;

  DiffusionBatches(DiffusionTask task) {
    this(task, null);
  }

  private DiffusionBatches(DiffusionTask task, FirstStageModel owned) {
    this.task = task;
    this.owned = owned;
  }

  /** An encoder that loads what it needs itself (a latent model's first stage): a worker's. */
  static DiffusionBatches open(TrainingContext context) {
    FirstStageModel firstStage = FrozenFirstStage.open(context.config());
    try {
      return new DiffusionBatches(DiffusionTask.of(context.config(), context.data().dataset().classNames(), firstStage),
          firstStage);
    } catch (RuntimeException e) {
      if (firstStage != null) {
        firstStage.close();
      }
      throw e;
    }
  }

  /** x_0, then the task's conditioning inputs in the task's order. */
  static List<SignatureInput> inputs(DiffusionTask task) {
    List<SignatureInput> out = new ArrayList<>();
    out.add(new SignatureInput(X0, false, task.modelSize(), task.modelSize(), task.modelChannels()));
    out.addAll(task.inputs());
    return out;
  }

  @Override
  public List<SignatureInput> inputs() {
    return inputs(task);
  }

  @Override
  public List<Tensor> encode(Batch rows, long step, int firstRow) {
    int n = rows.size();
    int size = task.modelSize();
    List<Tensor> out = new ArrayList<>();
    try {
      out.add(Tensors.of(task.target(rows.images(), n), n, size, size, task.modelChannels()));
      Map<String, Tensor> condition = task.feeds(task.forTraining(rows.images(), rows.labels(), n, step, firstRow), n);
      for (SignatureInput input : task.inputs()) {
        out.add(condition.get(input.name()));
      }
      if (condition.size() != task.inputs().size()) {
        throw new IllegalStateException("the task fed " + condition.keySet() + " for inputs " + task.inputs());
      }
    } catch (RuntimeException e) {
      out.forEach(t -> {
        if (t != null) {
          t.close();
        }
      });
      throw e;
    }
    return out;
  }

  @Override
  public void close() {
    if (owned != null) {
      owned.close();
    }
  }
}
