package org.diffusiondepot.firststage;

import org.diffusiondepot.nn.Layers;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * The residual block of Esser et al.'s autoencoder: GN, SiLU, 3x3 conv, GN, SiLU, 3x3 conv, with
 * a 1x1 conv on the skip path when the width changes. Unlike the UNet's block it has no time input.
 */
final class ResnetBlock {
  private ResnetBlock() {}

  static Operand<TFloat32> apply(Layers l, String name, Operand<TFloat32> x, int in, int out, int groups) {
    Operand<TFloat32> h = l.conv(name + "/conv1", l.silu(l.groupNorm(name + "/norm1", x, in, groups)), in, out, 3, 1);
    h = l.conv(name + "/conv2", l.silu(l.groupNorm(name + "/norm2", h, out, groups)), out, out, 3, 1);
    Operand<TFloat32> skip = in == out ? x : l.conv(name + "/skip", x, in, out, 1, 1);
    return l.tf().math.add(h, skip);
  }
}
