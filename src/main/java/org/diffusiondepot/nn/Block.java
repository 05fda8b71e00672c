package org.diffusiondepot.nn;

import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/** A UNet block: maps [B, H, W, in] to [B, H, W, out], conditioned on the time embedding. */
interface Block {
  Operand<TFloat32> apply(Layers layers, String name, Operand<TFloat32> x, int in, int out,
      Operand<TFloat32> embedding, int embeddingDim);
}
