package org.diffusiondepot.diffusion;

import org.diffusiondepot.sampler.ExportContract;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The denoiser's conditioning tensors; null where the task has none.
 *
 * @param label [B] class index, the null class (= number of classes) for "no label"
 * @param maskedImage [B, S, S, C] the image with the hole zeroed (inpainting)
 * @param mask [B, S, S, 1], 1 where pixels are to be filled (inpainting)
 * @param lowRes [B, s, s, C] the low-resolution image at the latent side (super-resolution)
 */
public record ConditionInputs(
    Operand<TInt32> label,
    Operand<TFloat32> maskedImage,
    Operand<TFloat32> mask,
    Operand<TFloat32> lowRes) {

  // The placeholders are named as the export's signature inputs, so these are the contract's names.
  public static final String LABEL = ExportContract.LABEL;
  public static final String MASKED_IMAGE = ExportContract.MASKED_IMAGE;
  public static final String MASK = ExportContract.MASK;
  public static final String LOW_RES = ExportContract.LOW_RES;

  public static ConditionInputs none() {
    return new ConditionInputs(null, null, null, null);
  }
}
