package org.diffusiondepot.serve;

import java.util.List;
import org.diffusiondepot.task.Conditioning;

/**
 * What conditions a request besides its settings, already checked and brought to the model's size:
 * class labels, the image to inpaint and its painted mask, or the low-resolution image, with the
 * uploads they came from (offered back for the command line) and the notes reading them produced
 * (e.g. that an image was resized).
 *
 * @param labels the class of every sample, or null
 * @param image the uploaded image to inpaint or to upscale, or null
 * @param mask the painted mask, or null
 * @param imagePixels the image to inpaint at the model's size, or null
 * @param maskPixels the mask at the model's size (1 = fill), or null
 * @param lowResPixels the low-resolution image at the model's input size, or null
 */
record TaskInputs(int[] labels, Upload image, Upload mask, float[] imagePixels, float[] maskPixels,
    float[] lowResPixels, List<String> notes) {
  TaskInputs {
    notes = List.copyOf(notes);
  }

  static TaskInputs none() {
    return new TaskInputs(null, null, null, null, null, null, List.of());
  }

  /** As the library takes it: one image, mask or low-res image for all samples. */
  Conditioning conditioning() {
    return new Conditioning(labels, imagePixels, maskPixels, lowResPixels);
  }

  /** The upload of that name ("mask.png" or the image's name), or null. */
  Upload upload(String name) {
    if (image != null && image.name().equals(name)) {
      return image;
    }
    return mask != null && mask.name().equals(name) ? mask : null;
  }
}
