package org.diffusiondepot.train;

import org.diffusiondepot.data.Batch;
import org.diffusiondepot.sampler.Conditioning;

/** Unconditional generation: the images are the target, nothing conditions the denoiser. */
record UnconditionalInputs(int targetSize, int targetChannels) implements TaskInputs {
  @Override
  public Conditioning condition(Batch batch, long step) {
    return Conditioning.none();
  }

  @Override
  public Conditioning previewCondition(Batch validation, int count) {
    return Conditioning.none();
  }
}
