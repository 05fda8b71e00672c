package org.diffusiondepot.firststage;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The adaptive weight of the GAN loss, Esser et al. 2021 eq. 7:
 * <pre>
 *   lambda = clip(||grad_w L_rec|| / (||grad_w L_gan|| + 1e-4), 0, 1e4) * discriminator_weight
 * </pre>
 * with w the kernel of the decoder's last conv. It balances the two losses where they meet, so the
 * GAN neither drowns nor is drowned by the reconstruction; it is a constant for backprop.
 */
final class AdaptiveWeight {
  static final float EPSILON = 1e-4f;
  static final float MAX = 1e4f;

  private AdaptiveWeight() {}

  static Operand<TFloat32> of(Ops tf, Operand<TFloat32> reconstructionGradient, Operand<TFloat32> ganGradient,
      double weight) {
    Operand<TFloat32> ratio = tf.math.div(norm(tf, reconstructionGradient),
        tf.math.add(norm(tf, ganGradient), tf.constant(EPSILON)));
    Operand<TFloat32> clipped = tf.clipByValue(ratio, tf.constant(0f), tf.constant(MAX));
    return tf.stopGradient(tf.math.mul(clipped, tf.constant((float) weight)));
  }

  /**
   * d L / d kernel of a stride-1 SAME conv, from its input and d L / d output. Written out
   * instead of asking addGradients so that nothing here reads the kernel: an update of the kernel
   * waits for every reader, and these ops do not run before the discriminator starts.
   */
  static Operand<TFloat32> kernelGradient(Ops tf, Operand<TFloat32> convInput, Shape kernelShape,
      Operand<TFloat32> outputGradient) {
    int[] sizes = new int[kernelShape.numDimensions()];
    for (int i = 0; i < sizes.length; i++) {
      sizes[i] = (int) kernelShape.get(i);
    }
    return tf.nn.conv2dBackpropFilter(convInput, tf.constant(sizes), outputGradient, List.of(1L, 1L, 1L, 1L), "SAME");
  }

  private static Operand<TFloat32> norm(Ops tf, Operand<TFloat32> x) {
    int rank = x.shape().numDimensions();
    int[] axes = new int[rank];
    for (int i = 0; i < rank; i++) {
      axes[i] = i;
    }
    return tf.math.sqrt(tf.sum(tf.math.square(x), tf.constant(axes)));
  }
}
