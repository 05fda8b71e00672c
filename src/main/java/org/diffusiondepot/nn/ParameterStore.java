package org.diffusiondepot.nn;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;

/**
 * Where a network gets its weights. The same builder code makes the training graph (fresh
 * variables), the EMA sampling graph (reads of the shadow variables), the export graph and the
 * parameter count (placeholders, nothing allocated).
 */
public interface ParameterStore {
  /**
   * Returns a tensor holding the named parameter. Each name may be requested once per network.
   *
   * @param name slash-separated path, e.g. {@code unet/down0/block1/conv1/kernel}
   */
  Operand<TFloat32> parameter(String name, Shape shape, Initializer initializer);
}
