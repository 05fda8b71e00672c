package org.diffusiondepot.train;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import org.diffusiondepot.data.Batch;
import org.diffusiondepot.data.MaskGenerator;
import org.diffusiondepot.image.ImageGrid;
import org.diffusiondepot.image.Pixels;
import org.diffusiondepot.sampler.Conditioning;

/**
 * Inpainting: each training image gets a fresh random mask (boxes and brush strokes, fill ratio in
 * the config's range, seeded by the step), and the denoiser sees concat(x_t, masked image, mask).
 */
record InpaintingInputs(int targetSize, int targetChannels, MaskGenerator masks, long seed) implements TaskInputs {

  @Override
  public Conditioning condition(Batch batch, long step) {
    return masked(batch.images(), batch.size(), step * 1_000_003L + seed);
  }

  @Override
  public Conditioning previewCondition(Batch validation, int count) {
    float[] images = new float[count * pixelsPerImage()];
    for (int i = 0; i < count; i++) {
      System.arraycopy(validation.images(), (i % validation.size()) * pixelsPerImage(), images, i * pixelsPerImage(),
          pixelsPerImage());
    }
    return masked(images, count, -1 - seed);
  }

  /** The masked images and masks of {@code count} images, mask i seeded by (base, i). */
  Conditioning masked(float[] images, int count, long base) {
    int pixels = targetSize * targetSize;
    float[] mask = new float[count * pixels];
    float[] masked = new float[count * pixels * targetChannels];
    for (int i = 0; i < count; i++) {
      float[] m = masks.generate(base * 31 + i);
      System.arraycopy(m, 0, mask, i * pixels, pixels);
      for (int p = 0; p < pixels; p++) {
        for (int c = 0; c < targetChannels; c++) {
          int k = (i * pixels + p) * targetChannels + c;
          masked[k] = m[p] > 0.5f ? 0f : images[k];
        }
      }
    }
    return new Conditioning(null, masked, mask, null);
  }

  /** Rows of (masked input, completion with the known pixels kept). */
  @Override
  public BufferedImage previewGrid(float[] samples, Conditioning condition, int count) {
    int pixels = targetSize * targetSize;
    List<BufferedImage> tiles = new ArrayList<>();
    float[] composite = samples.clone();
    for (int i = 0; i < count; i++) {
      for (int p = 0; p < pixels; p++) {
        if (condition.mask()[i * pixels + p] <= 0.5f) {
          for (int c = 0; c < targetChannels; c++) {
            int k = (i * pixels + p) * targetChannels + c;
            composite[k] = condition.maskedImage()[k];
          }
        }
      }
    }
    for (int i = 0; i < count; i++) {
      tiles.add(Pixels.toImage(condition.maskedImage(), i, targetSize, targetChannels));
      tiles.add(Pixels.toImage(composite, i, targetSize, targetChannels));
    }
    return ImageGrid.of(tiles, 2 * (int) Math.ceil(Math.sqrt(count)));
  }

  private int pixelsPerImage() {
    return targetSize * targetSize * targetChannels;
  }
}
