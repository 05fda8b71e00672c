package org.diffusiondepot.firststage;

import org.diffusiondepot.nn.Arithmetic;
import org.diffusiondepot.nn.AttentionBlock;
import org.diffusiondepot.nn.Layers;
import org.diffusiondepot.nn.ParameterStore;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The mirror of {@link Encoder} (taming's Decoder): a 3x3 conv from {@code latentChannels} to the
 * lowest level's width; middle block, attention, block; per level from the lowest up
 * {@code blocksPerLevel + 1} ResNet blocks and, between levels, nearest 2x upsampling and a 3x3
 * conv; GN, SiLU and a 3x3 conv to the image channels (no output squashing, as in taming).
 * <p>
 * Parameters: {@code decoder/conv_in}, {@code decoder/mid/{block0,attn,block1}},
 * {@code decoder/up<L>/block<i>[/attn]}, {@code decoder/up<L>/upsample}, {@code decoder/norm_out},
 * {@code decoder/conv_out}. {@link #LAST_LAYER} is the kernel the adaptive GAN weight looks at.
 */
public final class Decoder {
  static final String SCOPE = "decoder/";
  /** Parameter name (below the network root) of the last layer's kernel. */
  public static final String LAST_LAYER = SCOPE + "conv_out/kernel";
  private static final int OUTPUT_KERNEL = 3;

  private final FirstStageSpec spec;
  private final Arithmetic arithmetic;

  public Decoder(FirstStageSpec spec) {
    this(spec, Arithmetic.FP32);
  }

  /** @param arithmetic the type the convolutions and attention products run in (weights stay fp32) */
  public Decoder(FirstStageSpec spec, Arithmetic arithmetic) {
    this.spec = spec;
    this.arithmetic = arithmetic;
  }

  /**
   * @param h [B, S/f, S/f, latentChannels], after the 1x1 post_quant_conv
   * @return [B, S, S, imageChannels], roughly in [-1, 1]
   */
  public Operand<TFloat32> apply(Ops tf, ParameterStore params, Operand<TFloat32> h) {
    return output(tf, params, lastLayerInput(tf, params, h));
  }

  /** Everything up to the last conv: GN and SiLU applied, [B, S, S, base width]. */
  Operand<TFloat32> lastLayerInput(Ops tf, ParameterStore params, Operand<TFloat32> h) {
    Layers l = new Layers(tf, params, arithmetic);
    int groups = spec.groups();
    int last = spec.levels() - 1;
    int ch = spec.width(last);
    h = l.conv(SCOPE + "conv_in", h, spec.latentChannels(), ch, 3, 1);
    h = ResnetBlock.apply(l, SCOPE + "mid/block0", h, ch, ch, groups);
    if (spec.attention()) {
      h = AttentionBlock.apply(l, SCOPE + "mid/attn", h, ch, groups);
    }
    h = ResnetBlock.apply(l, SCOPE + "mid/block1", h, ch, ch, groups);
    for (int level = last; level >= 0; level--) {
      int out = spec.width(level);
      for (int i = 0; i <= spec.blocksPerLevel(); i++) {
        String name = SCOPE + "up" + level + "/block" + i;
        h = ResnetBlock.apply(l, name, h, ch, out, groups);
        ch = out;
        if (spec.attention() && level == last) {
          h = AttentionBlock.apply(l, name + "/attn", h, ch, groups);
        }
      }
      if (level != 0) {
        h = l.conv(SCOPE + "up" + level + "/upsample", l.upsample2x(h), ch, ch, 3, 1);
      }
    }
    return l.silu(l.groupNorm(SCOPE + "norm_out", h, ch, groups));
  }

  /** The last 3x3 conv, to image channels. */
  Operand<TFloat32> output(Ops tf, ParameterStore params, Operand<TFloat32> lastLayerInput) {
    return new Layers(tf, params, arithmetic).conv(SCOPE + "conv_out", lastLayerInput, spec.width(0), spec.imageChannels(),
        OUTPUT_KERNEL, 1);
  }

  /** Shape of {@link #LAST_LAYER}, known before any store has created it. */
  Shape lastLayerShape() {
    return Shape.of(OUTPUT_KERNEL, OUTPUT_KERNEL, spec.width(0), spec.imageChannels());
  }
}
