package org.diffusiondepot.nn;

import org.diffusiondepot.proto.Precision;
import org.tensorflow.types.TBfloat16;
import org.tensorflow.types.TFloat16;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TFloating;

/**
 * The number type a network's convolutions and matrix products run in. Everything else (GroupNorm
 * statistics, softmax, activations, residual sums, the loss) stays fp32, and so do the weights: a
 * 16-bit layer casts its input and kernel down, multiplies, and casts the product back up. The
 * casts sit at the product ops, which is where the time goes, so the rest of the graph needs no
 * deny list: TensorFlow's auto-mixed-precision rewriter, tried first, also moved the moment sums of
 * GroupNorm to bf16 and training diverged within five steps (see README, "Mixed precision").
 */
public enum Arithmetic {
  FP32(TFloat32.class),
  BF16(TBfloat16.class),
  FP16(TFloat16.class);

  private final Class<? extends TFloating> type;

  Arithmetic(Class<? extends TFloating> type) {
    this.type = type;
  }

  public Class<? extends TFloating> type() {
    return type;
  }

  public boolean reduced() {
    return this != FP32;
  }

  /** The arithmetic of a config's or card's precision; unspecified is fp32. */
  public static Arithmetic of(Precision precision) {
    return switch (precision) {
      case BF16 -> BF16;
      case FP16 -> FP16;
      default -> FP32;
    };
  }
}
