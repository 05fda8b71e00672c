package org.diffusiondepot.task;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.diffusiondepot.image.Pixels;
import org.diffusiondepot.proto.ExperimentConfig;
import org.diffusiondepot.proto.Task;
import org.diffusiondepot.runtime.Tensors;
import org.diffusiondepot.schedule.NoiseSchedule;
import org.tensorflow.Tensor;

/**
 * Inpainting (Palette, Saharia et al. 2022): the denoiser sees concat(x_t, masked image, mask), the
 * masked image being the image with its hole zeroed (0 is mid grey in [-1, 1]). Training masks are
 * random boxes and brush strokes whose filled fraction lies in the config's range; while sampling,
 * the known pixels are also imposed after every step ({@link KnownRegion}).
 */
public final class InpaintingTask extends DiffusionTask {
  private final MaskGenerator masks;

  InpaintingTask(ExperimentConfig config) {
    super(config);
    this.masks = new MaskGenerator(imageSize, config.getInpainting().getMinMaskRatio(),
        config.getInpainting().getMaxMaskRatio());
  }

  @Override
  public Task kind() {
    return Task.INPAINTING;
  }

  /** The generator of training and held-out masks. */
  public MaskGenerator masks() {
    return masks;
  }

  @Override
  public String summary() {
    return super.summary() + " completed inside masks covering " + masks.minRatio() + " to " + masks.maxRatio()
        + " of the pixels";
  }

  @Override
  public List<SignatureInput> inputs() {
    return List.of(new SignatureInput(ExportContract.MASKED_IMAGE, false, imageSize, imageSize, imageChannels),
        new SignatureInput(ExportContract.MASK, false, imageSize, imageSize, 1));
  }

  /** A fresh mask for every example of every step. */
  @Override
  public Conditioning forTraining(float[] images, int[] labels, int n, long step, int firstRow) {
    float[] mask = new float[n * imageSize * imageSize];
    for (int i = 0; i < n; i++) {
      put(mask, i, masks.generate(trainingDraw(MASKS, step, firstRow + i)));
    }
    return Conditioning.ofInpainting(images, mask);
  }

  @Override
  public Conditioning forHeldOut(float[] images, int[] labels, int n, long seed, int firstIndex) {
    float[] mask = new float[n * imageSize * imageSize];
    for (int i = 0; i < n; i++) {
      put(mask, i, masks.generate(heldOutDraw(seed, MASKS, firstIndex + i)));
    }
    return Conditioning.ofInpainting(java.util.Arrays.copyOf(images, n * imageSize * imageSize * imageChannels), mask);
  }

  /** One image and one mask for every sample of the request. */
  @Override
  public Conditioning forSampling(Conditioning request, int start, int n) {
    if (request.image() == null || request.mask() == null) {
      throw new ConditioningException("this inpainting model needs an image and a mask (--image and --mask)");
    }
    if (request.labels() != null || request.lowRes() != null) {
      throw new ConditioningException("this inpainting model takes an image and a mask, not a class or a low-resolution input");
    }
    int pixels = imageSize * imageSize;
    if (request.image().length != pixels * imageChannels || request.mask().length != pixels) {
      throw new ConditioningException("the image and mask must be " + imageSize + "x" + imageSize);
    }
    return Conditioning.ofInpainting(repeat(request.image(), n), repeat(request.mask(), n));
  }

  @Override
  public Map<String, Tensor> feeds(Conditioning condition, int n) {
    if (condition.image() == null || condition.mask() == null) {
      throw new ConditioningException("this inpainting model needs an image and a mask");
    }
    Tensor masked = Tensors.of(masked(condition.image(), condition.mask()), n, imageSize, imageSize, imageChannels);
    Tensor mask = Tensors.of(condition.mask(), n, imageSize, imageSize, 1);
    return Map.of(ExportContract.MASKED_IMAGE, masked, ExportContract.MASK, mask);
  }

  @Override
  public StepConstraint constraint(NoiseSchedule schedule, Conditioning condition) {
    return new KnownRegion(schedule, condition.image(), condition.mask(), imageSize, imageChannels,
        samplingPasses());
  }

  /** {@code inpainting.resamplings}: every reverse step but the last is taken that many times (0 or 1: once). */
  @Override
  public int samplingPasses() {
    return Math.max(1, config.getInpainting().getResamplings());
  }

  /** The images with their holes zeroed, as the denoiser sees them (0 is mid grey). */
  public float[] masked(float[] images, float[] mask) {
    float[] out = images.clone();
    for (int p = 0; p < mask.length; p++) {
      if (mask[p] > 0.5f) {
        java.util.Arrays.fill(out, p * imageChannels, (p + 1) * imageChannels, 0f);
      }
    }
    return out;
  }

  /** Masked input | output, per sample. */
  @Override
  public Panels panels(float[] images, Conditioning condition, int n) {
    float[] masked = masked(condition.image(), condition.mask());
    List<List<BufferedImage>> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      rows.add(List.of(Pixels.toImage(masked, i, imageSize, imageChannels),
          Pixels.toImage(images, i, imageSize, imageChannels)));
    }
    return new Panels(List.of("masked input", "output"), rows, blankLabels(n), (int) Math.ceil(Math.sqrt(n)));
  }

  private void put(float[] masks, int index, float[] one) {
    System.arraycopy(one, 0, masks, index * one.length, one.length);
  }
}
