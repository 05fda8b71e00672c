package org.diffusiondepot.task;

/**
 * What conditions the samples of one batch, as the data or the user gives it (row-major NHWC);
 * null where the task has none. The task turns it into what the network sees ({@link
 * DiffusionTask#feeds}): the image with its hole zeroed, the low-resolution image at the latent side.
 *
 * @param labels class index per example (the null class for unconditional passes)
 * @param image [B, S, S, C] the image to complete (inpainting), known pixels outside the mask
 * @param mask [B, S, S] 1 where pixels are to be generated (inpainting)
 * @param lowRes [B, s, s, C] the low-resolution image at its own side (super-resolution)
 */
public record Conditioning(int[] labels, float[] image, float[] mask, float[] lowRes) {
  public static Conditioning none() {
    return new Conditioning(null, null, null, null);
  }

  public static Conditioning ofLabels(int[] labels) {
    return new Conditioning(labels, null, null, null);
  }

  public static Conditioning ofInpainting(float[] image, float[] mask) {
    return new Conditioning(null, image, mask, null);
  }

  public static Conditioning ofLowRes(float[] lowRes) {
    return new Conditioning(null, null, null, lowRes);
  }
}
