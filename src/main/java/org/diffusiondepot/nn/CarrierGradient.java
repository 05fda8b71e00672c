package org.diffusiondepot.nn;

import java.util.List;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.TensorFlow;
import org.tensorflow.op.Ops;

/**
 * The one gradient this process registers for IdentityN, which has none of its own: TensorFlow Java
 * cannot replace an op's registered gradient, so a layer with a backward pass of its own passes its
 * output through an IdentityN "carrier" whose first input is stop_gradient(output) and whose other
 * inputs are what the gradient reads. The carrier's name says whose gradient it is ({@link
 * ConvolutionBackward}, {@link GroupNormBackward}); any other IdentityN is refused.
 */
final class CarrierGradient {
  private CarrierGradient() {}

  /** Registers the gradient once per process; false if IdentityN already has another. */
  static boolean registered() {
    return Registration.DONE;
  }

  private static final class Registration {
    static final boolean DONE = TensorFlow.registerCustomGradient("IdentityN", CarrierGradient::gradient);
  }

  private static List<Operand<?>> gradient(Ops tf, GraphOperation op, List<Output<?>> gradients) {
    if (ConvolutionBackward.carries(op)) {
      return ConvolutionBackward.gradient(tf, op, gradients);
    }
    if (GroupNormBackward.carries(op)) {
      return GroupNormBackward.gradient(tf, op, gradients);
    }
    throw new IllegalStateException("IdentityN " + op.name() + " has no gradient: only the carriers of "
        + ConvolutionBackward.class.getName() + " and " + GroupNormBackward.class.getName() + " have one");
  }
}
