package org.diffusiondepot.firststage;

import org.diffusiondepot.nn.Layers;
import org.diffusiondepot.nn.ParameterStore;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The PatchGAN discriminator of pix2pix as VQGAN uses it (taming's NLayerDiscriminator): a 4x4
 * stride-2 conv and LeakyReLU(0.2); {@code layers - 1} more stride-2 4x4 convs doubling the width
 * (capped at 8x) with GroupNorm and LeakyReLU; one stride-1 4x4 conv with norm and LeakyReLU; a
 * stride-1 4x4 conv to one channel. Each output logit judges one overlapping patch of the input.
 * GroupNorm replaces taming's BatchNorm, so real and fake images can share one batch.
 * <p>
 * Parameters (own root, {@link #ROOT}): {@code conv0 .. conv<layers>}, {@code norm1 .. norm<layers>},
 * {@code conv_out}.
 */
public final class PatchDiscriminator {
  public static final String ROOT = "discriminator";
  private static final float SLOPE = 0.2f;

  private final int imageChannels;
  private final int channels;
  private final int layers;
  private final int groups;

  public PatchDiscriminator(FirstStageSpec spec) {
    this.imageChannels = spec.imageChannels();
    this.channels = spec.discriminatorChannels();
    this.layers = spec.discriminatorLayers();
    this.groups = spec.groups();
  }

  /**
   * @param image [B, S, S, C]
   * @return logits [B, S / 2^layers, S / 2^layers, 1]
   */
  public Operand<TFloat32> apply(Ops tf, ParameterStore params, Operand<TFloat32> image) {
    Layers l = new Layers(tf, params);
    Operand<TFloat32> h = leakyRelu(tf, l.conv("conv0", image, imageChannels, channels, 4, 2));
    int width = channels;
    for (int n = 1; n <= layers; n++) {
      int out = channels * Math.min(1 << n, 8);
      int stride = n < layers ? 2 : 1;
      h = l.conv("conv" + n, h, width, out, 4, stride);
      h = leakyRelu(tf, l.groupNorm("norm" + n, h, out, groups));
      width = out;
    }
    return l.conv("conv_out", h, width, 1, 4, 1);
  }

  /**
   * max(x, 0.2 x). Not the LeakyRelu op: grappler fuses conv + bias + LeakyRelu and then fails,
   * with an alarming log line, on the LeakyReluGrad that still reads the unfused bias output.
   */
  private static Operand<TFloat32> leakyRelu(Ops tf, Operand<TFloat32> x) {
    return tf.math.maximum(x, tf.math.mul(x, tf.constant(SLOPE)));
  }

  /** Side of the logit map for an input side. */
  public int outputSize(int imageSize) {
    return imageSize >> layers;
  }
}
