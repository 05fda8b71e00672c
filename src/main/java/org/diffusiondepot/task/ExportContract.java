package org.diffusiondepot.task;

/**
 * The names an export is written and read by: the SavedModel tag, its signatures and their
 * tensors, and the files beside it. The exporters and the model loaders both use these, so the two
 * sides cannot drift apart.
 * <p>
 * A diffusion export has one signature, {@link #DENOISE}: {@link #X_T} [B, S, S, C] and
 * {@link #T} [B] (int32) plus the task's conditioning inputs ({@link #LABEL}, {@link #MASKED_IMAGE}
 * and {@link #MASK}, or {@link #LOW_RES}) to {@link #EPS}, the network's output: eps, or v when the
 * card's {@code diffusion.prediction} is V ({@link VelocityPrediction}). A first-stage export has
 * {@link #ENCODE} ({@link #IMAGE} to {@link #Z}) and {@link #DECODE} ({@link #Z} to {@link #IMAGE}).
 */
public final class ExportContract {
  private ExportContract() {}

  /** The SavedModel tag of every export. */
  public static final String TAG = "serve";

  public static final String DENOISE = "denoise";
  public static final String X_T = "x_t";
  public static final String T = "t";
  public static final String EPS = "eps";
  /** [B] int32 class index; the null class (= number of classes) for the unconditional pass. */
  public static final String LABEL = "label";
  /** [B, S, S, C] the image with the hole zeroed. */
  public static final String MASKED_IMAGE = "masked_image";
  /** [B, S, S, 1], 1 where pixels are to be generated. */
  public static final String MASK = "mask";
  /** [B, s, s, C] the low-resolution image at the denoiser's side. */
  public static final String LOW_RES = "low_res";

  public static final String ENCODE = "encode";
  public static final String DECODE = "decode";
  public static final String IMAGE = "image";
  public static final String Z = "z";

  /** Where a super-resolution export keeps the first stage that decodes its latents. */
  public static final String FIRST_STAGE_DIR = "first_stage";
}
