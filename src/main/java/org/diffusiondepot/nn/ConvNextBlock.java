package org.diffusiondepot.nn;

import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * The ConvNeXt-style block with a 7x7 receptive field (Liu et al. 2022, in the diffusion form of
 * lucidrains' denoising-diffusion-pytorch): 7x7 depthwise conv; add a projection of GELU(temb);
 * GN(1), 3x3 conv to 2 x out, GELU, dropout, GN(1), 3x3 conv to out; residual (1x1 conv when the
 * width changes).
 */
final class ConvNextBlock implements Block {
  static final int KERNEL = 7;
  static final int EXPANSION = 2;
  private final float dropout;

  ConvNextBlock(float dropout) {
    this.dropout = dropout;
  }

  @Override
  public Operand<TFloat32> apply(Layers l, String name, Operand<TFloat32> x, int in, int out,
      Operand<TFloat32> embedding, int embeddingDim) {
    int wide = out * EXPANSION;
    Operand<TFloat32> h = l.depthwiseConv(name + "/dwconv", x, in, KERNEL);
    h = l.addPerChannel(h, l.dense(name + "/temb", l.gelu(embedding), embeddingDim, in));
    h = l.conv(name + "/conv1", l.groupNorm(name + "/norm1", h, in, 1), in, wide, 3, 1);
    h = l.dropout(l.gelu(h), dropout, name.hashCode());
    h = l.conv(name + "/conv2", l.groupNorm(name + "/norm2", h, wide, 1), wide, out, 3, 1);
    Operand<TFloat32> skip = in == out ? x : l.conv(name + "/skip", x, in, out, 1, 1);
    return l.tf().math.add(h, skip);
  }
}
