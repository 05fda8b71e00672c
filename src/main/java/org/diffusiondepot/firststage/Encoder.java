package org.diffusiondepot.firststage;

import org.diffusiondepot.nn.Arithmetic;
import org.diffusiondepot.nn.AttentionBlock;
import org.diffusiondepot.nn.Layers;
import org.diffusiondepot.nn.ParameterStore;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The VQGAN encoder (Esser et al. 2021): conv_in; per level {@code blocksPerLevel} ResNet blocks
 * and, between levels, a strided 3x3 conv (SAME padding on an even side pads one pixel right and
 * below, as taming's Downsample does), so f = 2^(levels - 1); a middle block, attention, block;
 * GN, SiLU and a 3x3 conv to {@code latentChannels}. With {@code attention} every block of the
 * lowest level and the middle gets single-head self-attention.
 * <p>
 * Parameters: {@code encoder/conv_in}, {@code encoder/down<L>/block<i>/{norm1,conv1,norm2,conv2,skip}},
 * {@code encoder/down<L>/block<i>/attn}, {@code encoder/down<L>/downsample},
 * {@code encoder/mid/{block0,attn,block1}}, {@code encoder/norm_out}, {@code encoder/conv_out}.
 */
public final class Encoder {
  static final String SCOPE = "encoder/";

  private final FirstStageSpec spec;
  private final Arithmetic arithmetic;

  public Encoder(FirstStageSpec spec) {
    this(spec, Arithmetic.FP32);
  }

  /** @param arithmetic the type the convolutions and attention products run in (weights stay fp32) */
  public Encoder(FirstStageSpec spec, Arithmetic arithmetic) {
    this.spec = spec;
    this.arithmetic = arithmetic;
  }

  /**
   * @param image [B, S, S, imageChannels] in [-1, 1]
   * @return [B, S/f, S/f, latentChannels], before the 1x1 quant_conv
   */
  public Operand<TFloat32> apply(Ops tf, ParameterStore params, Operand<TFloat32> image) {
    Layers l = new Layers(tf, params, arithmetic);
    int groups = spec.groups();
    int ch = spec.width(0);
    Operand<TFloat32> h = l.conv(SCOPE + "conv_in", image, spec.imageChannels(), ch, 3, 1);
    int last = spec.levels() - 1;
    for (int level = 0; level <= last; level++) {
      int out = spec.width(level);
      for (int i = 0; i < spec.blocksPerLevel(); i++) {
        String name = SCOPE + "down" + level + "/block" + i;
        h = ResnetBlock.apply(l, name, h, ch, out, groups);
        ch = out;
        if (spec.attention() && level == last) {
          h = AttentionBlock.apply(l, name + "/attn", h, ch, groups);
        }
      }
      if (level != last) {
        h = l.conv(SCOPE + "down" + level + "/downsample", h, ch, ch, 3, 2);
      }
    }
    h = ResnetBlock.apply(l, SCOPE + "mid/block0", h, ch, ch, groups);
    if (spec.attention()) {
      h = AttentionBlock.apply(l, SCOPE + "mid/attn", h, ch, groups);
    }
    h = ResnetBlock.apply(l, SCOPE + "mid/block1", h, ch, ch, groups);
    h = l.silu(l.groupNorm(SCOPE + "norm_out", h, ch, groups));
    return l.conv(SCOPE + "conv_out", h, ch, spec.latentChannels(), 3, 1);
  }
}
