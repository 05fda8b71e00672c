package org.diffusiondepot.sampler;

/**
 * Host-side conditioning of one batch, laid out like the images (row-major NHWC); null where the
 * task has none.
 *
 * @param labels class index per example (the null class for unconditional passes)
 * @param maskedImage [B, S, S, C] image with the hole zeroed
 * @param mask [B, S, S, 1] 1 where pixels are to be generated
 * @param lowRes [B, s, s, C] low-resolution image at the denoiser's side
 */
public record Conditioning(int[] labels, float[] maskedImage, float[] mask, float[] lowRes) {
  public static Conditioning none() {
    return new Conditioning(null, null, null, null);
  }

  public static Conditioning ofLabels(int[] labels) {
    return new Conditioning(labels, null, null, null);
  }
}
