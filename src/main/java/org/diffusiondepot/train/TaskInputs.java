package org.diffusiondepot.train;

import java.util.List;
import org.diffusiondepot.data.Batch;
import org.diffusiondepot.diffusion.ConditionInputs;
import org.diffusiondepot.proto.ExperimentConfig;
import org.diffusiondepot.sampler.Conditioning;
import org.tensorflow.Session;
import org.tensorflow.Tensor;

/** How one task turns a batch of images into the denoiser's target and conditioning. */
interface TaskInputs extends AutoCloseable {

  /** The clean signal x_0 the denoiser learns (the images themselves, or their latents). */
  default float[] target(Batch batch) {
    return batch.images();
  }

  /** Side and channels of the target. */
  int targetSize();

  int targetChannels();

  /** Host-side conditioning for a training batch; {@code step} seeds any randomness. */
  Conditioning condition(Batch batch, long step);

  /** Conditioning for a preview grid of {@code count} samples, drawn from validation images. */
  Conditioning previewCondition(Batch validation, int count);

  /** Conditioning for validation batches: deterministic, from the batch itself. */
  default Conditioning validationCondition(Batch batch) {
    return previewCondition(batch, batch.size());
  }

  /** How a preview is shown: by default a square grid of the samples. */
  default java.awt.image.BufferedImage previewGrid(float[] samples, Conditioning condition, int count) {
    return org.diffusiondepot.image.ImageGrid.of(samples, count, targetSize(), targetChannels(),
        (int) Math.ceil(Math.sqrt(count)));
  }

  /** Feeds the conditioning placeholders of a training or preview pass. */
  static void feed(Session.Runner runner, ConditionInputs inputs, Conditioning c, int batch, int size,
      int channels, List<Tensor> owned) {
    if (inputs.label() != null) {
      Tensor t = org.diffusiondepot.runtime.Tensors.of(c.labels(), batch);
      owned.add(t);
      runner.feed(inputs.label(), t);
    }
    if (inputs.maskedImage() != null) {
      Tensor masked = org.diffusiondepot.runtime.Tensors.of(c.maskedImage(), batch, size, size, channels);
      Tensor mask = org.diffusiondepot.runtime.Tensors.of(c.mask(), batch, size, size, 1);
      owned.add(masked);
      owned.add(mask);
      runner.feed(inputs.maskedImage(), masked).feed(inputs.mask(), mask);
    }
    if (inputs.lowRes() != null) {
      long lowChannels = c.lowRes().length / ((long) batch * size * size);
      Tensor low = org.diffusiondepot.runtime.Tensors.of(c.lowRes(), batch, size, size, lowChannels);
      owned.add(low);
      runner.feed(inputs.lowRes(), low);
    }
  }

  /** Releases models the task holds (the first stage of super-resolution). */
  @Override
  default void close() {
  }

  static TaskInputs forConfig(ExperimentConfig config, List<String> classNames) {
    int size = config.getData().getResolution();
    int channels = config.getData().getChannels();
    return switch (config.getTask()) {
      case UNCONDITIONAL -> new UnconditionalInputs(size, channels);
      case CLASS_CONDITIONAL -> new ClassInputs(size, channels, config.getClasses().getNumClasses(),
          config.getClasses().getLabelDropout(), config.getTrain().getSeed());
      case INPAINTING -> new InpaintingInputs(size, channels, new org.diffusiondepot.data.MaskGenerator(size,
          config.getInpainting().getMinMaskRatio(), config.getInpainting().getMaxMaskRatio()), config.getTrain().getSeed());
      case SUPER_RESOLUTION -> new SuperResolutionInputs(config);
      default -> throw new UnsupportedOperationException("training for task " + config.getTask()
          + " is not available yet");
    };
  }
}
