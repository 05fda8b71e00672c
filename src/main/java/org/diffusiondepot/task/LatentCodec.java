package org.diffusiondepot.task;

/** The frozen first stage of a latent task: images in [-1, 1] to scaled latents and back. */
public interface LatentCodec {
  /** [n, S, S, C] images to [n, s, s, c] latents, already multiplied by the latent scale. */
  float[] encode(float[] images, int n);

  /** [n, s, s, c] scaled latents to [n, S, S, C] images. */
  float[] decode(float[] latents, int n);
}
