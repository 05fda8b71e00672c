package org.diffusiondepot.runtime;

import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** Copies between Java arrays and TensorFlow tensors. Callers close the tensors they create. */
public final class Tensors {
  private Tensors() {}

  public static TFloat32 of(float[] values, long... shape) {
    return TFloat32.tensorOf(Shape.of(shape), DataBuffers.of(values, true, false));
  }

  public static TInt32 of(int[] values, long... shape) {
    return TInt32.tensorOf(Shape.of(shape), DataBuffers.of(values, true, false));
  }

  public static float[] floats(TFloat32 tensor) {
    float[] out = new float[(int) tensor.size()];
    tensor.copyTo(DataBuffers.of(out, false, false));
    return out;
  }
}
