package org.diffusiondepot.task;

import java.util.Arrays;

/**
 * One conditioning input of a task's denoiser, as the training graph's placeholder and the
 * export's signature both name and shape it. Float inputs are concatenated to x_t along the
 * channels, in the order the task lists them; the integer input is the class label.
 *
 * @param name the tensor name ({@link ExportContract})
 * @param integer true for an int32 input (class labels), false for float32
 * @param shape the shape without the batch dimension
 */
public record SignatureInput(String name, boolean integer, long... shape) {
  /** The shape with an open batch dimension in front. */
  public long[] batchShape() {
    long[] out = new long[shape.length + 1];
    out[0] = -1;
    System.arraycopy(shape, 0, out, 1, shape.length);
    return out;
  }

  /** Channels it adds to the UNet's input: the last dimension of a float image, 0 for labels. */
  public int channels() {
    return integer ? 0 : (int) shape[shape.length - 1];
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SignatureInput s && s.name.equals(name) && s.integer == integer
        && Arrays.equals(s.shape, shape);
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + Arrays.hashCode(shape);
  }

  @Override
  public String toString() {
    return name + (integer ? ":int32" : ":float32") + Arrays.toString(shape);
  }
}
