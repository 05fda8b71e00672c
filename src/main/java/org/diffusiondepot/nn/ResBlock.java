package org.diffusiondepot.nn;

import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * The 3x3 residual block of Ho et al.: GN, SiLU, 3x3 conv; add a projection of SiLU(temb);
 * GN, SiLU, dropout, 3x3 conv; residual through a 1x1 conv when the width changes.
 */
final class ResBlock implements Block {
  private final int groups;
  private final float dropout;

  ResBlock(int groups, float dropout) {
    this.groups = groups;
    this.dropout = dropout;
  }

  @Override
  public Operand<TFloat32> apply(Layers l, String name, Operand<TFloat32> x, int in, int out,
      Operand<TFloat32> embedding, int embeddingDim) {
    Operand<TFloat32> h = l.conv(name + "/conv1", l.silu(l.groupNorm(name + "/norm1", x, in, groups)), in, out, 3, 1);
    h = l.addPerChannel(h, l.dense(name + "/temb", l.silu(embedding), embeddingDim, out));
    h = l.silu(l.groupNorm(name + "/norm2", h, out, groups));
    h = l.dropout(h, dropout, name.hashCode());
    h = l.conv(name + "/conv2", h, out, out, 3, 1);
    Operand<TFloat32> skip = in == out ? x : l.conv(name + "/skip", x, in, out, 1, 1);
    return l.tf().math.add(h, skip);
  }
}
