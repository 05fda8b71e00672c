package org.diffusiondepot.task;

import org.diffusiondepot.proto.ExperimentConfig;
import org.diffusiondepot.proto.Task;

/** Unconditional generation: the images are x_0 and nothing else reaches the denoiser. */
public final class UnconditionalTask extends DiffusionTask {
  UnconditionalTask(ExperimentConfig config) {
    super(config);
  }

  @Override
  public Task kind() {
    return Task.UNCONDITIONAL;
  }

  @Override
  public Conditioning forTraining(float[] images, int[] labels, int n, long step, int firstRow) {
    return Conditioning.none();
  }

  @Override
  public Conditioning forPreview(float[] images, int available, int count, long seed) {
    return Conditioning.none();
  }

  @Override
  public Conditioning forSampling(Conditioning request, int start, int n) {
    if (request.labels() != null || request.image() != null || request.mask() != null || request.lowRes() != null) {
      throw new ConditioningException("this unconditional model takes no class, image, mask or low-resolution input");
    }
    return Conditioning.none();
  }
}
