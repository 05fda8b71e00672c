package org.diffusiondepot.nn;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.diffusiondepot.proto.BlockType;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The denoising UNet in the layout of Ho et al. 2020: conv_in; per level {@code blocksPerLevel}
 * blocks (with self-attention at the chosen resolutions) and a strided 3x3 conv between levels,
 * keeping a skip after every block and every downsample; middle block, attention, block; per level
 * {@code blocksPerLevel + 1} blocks on concat(h, skip), nearest 2x + 3x3 conv between levels;
 * GN, SiLU, 3x3 conv out. Knows nothing of noise schedules: it maps (x, t[, class]) to a tensor.
 */
public final class UNet {
  private final UNetSpec spec;
  private final Arithmetic arithmetic;
  private final boolean leanActivations;
  private final Block block;

  public UNet(UNetSpec spec) {
    this(spec, Arithmetic.FP32);
  }

  /** @param arithmetic the type the convolutions and matrix products run in */
  public UNet(UNetSpec spec, Arithmetic arithmetic) {
    this(spec, arithmetic, false);
  }

  /**
   * @param leanActivations GELU and SiLU built to keep one tensor each for the backward pass
   *     ({@link Layers}): for training graphs
   */
  public UNet(UNetSpec spec, Arithmetic arithmetic, boolean leanActivations) {
    this.spec = spec;
    this.arithmetic = arithmetic;
    this.leanActivations = leanActivations;
    this.block = spec.block() == BlockType.RESNET_3X3
        ? new ResBlock(spec.groups(), spec.dropout())
        : new ConvNextBlock(spec.dropout());
  }

  public UNetSpec spec() {
    return spec;
  }

  public Arithmetic arithmetic() {
    return arithmetic;
  }

  /**
   * Builds the forward pass.
   *
   * @param x [B, size, size, inChannels]
   * @param t [B] integer timesteps
   * @param label [B] class indices (numClasses = the null class), or null for unconditional models
   * @return [B, size, size, outChannels]
   */
  public Operand<TFloat32> apply(Ops tf, ParameterStore params, Operand<TFloat32> x, Operand<TInt32> t,
      Operand<TInt32> label) {
    Layers l = new Layers(tf, params, arithmetic, leanActivations);
    int base = spec.baseChannels();
    int embDim = spec.embeddingDim();
    Operand<TFloat32> emb = TimeEmbedding.mlp(l, t, base, embDim);
    if (spec.numClasses() > 0) {
      if (label == null) {
        throw new IllegalArgumentException("a class-conditional UNet needs a label input");
      }
      emb = tf.math.add(emb, l.embedding("class_embedding", label, spec.numClasses() + 1, embDim));
    }
    List<Integer> mults = spec.channelMults();
    Deque<Operand<TFloat32>> skips = new ArrayDeque<>();
    Deque<Integer> skipChannels = new ArrayDeque<>();
    Operand<TFloat32> h = l.conv("conv_in", x, spec.inChannels(), base, 3, 1);
    skips.push(h);
    skipChannels.push(base);
    int ch = base;
    int res = spec.imageSize();
    for (int level = 0; level < mults.size(); level++) {
      int out = base * mults.get(level);
      for (int i = 0; i < spec.blocksPerLevel(); i++) {
        String name = "down" + level + "/block" + i;
        h = block.apply(l, name, h, ch, out, emb, embDim);
        ch = out;
        if (spec.attentionResolutions().contains(res)) {
          h = AttentionBlock.apply(l, name + "/attn", h, ch, spec.groups());
        }
        skips.push(h);
        skipChannels.push(ch);
      }
      if (level != mults.size() - 1) {
        h = l.conv("down" + level + "/downsample", h, ch, ch, 3, 2);
        res /= 2;
        skips.push(h);
        skipChannels.push(ch);
      }
    }
    h = block.apply(l, "mid/block0", h, ch, ch, emb, embDim);
    if (spec.middleAttention()) {
      h = AttentionBlock.apply(l, "mid/attn", h, ch, spec.groups());
    }
    h = block.apply(l, "mid/block1", h, ch, ch, emb, embDim);
    for (int level = mults.size() - 1; level >= 0; level--) {
      int out = base * mults.get(level);
      for (int i = 0; i <= spec.blocksPerLevel(); i++) {
        String name = "up" + level + "/block" + i;
        int skipCh = skipChannels.pop();
        h = tf.concat(List.of(h, skips.pop()), tf.constant(3));
        h = block.apply(l, name, h, ch + skipCh, out, emb, embDim);
        ch = out;
        if (spec.attentionResolutions().contains(res)) {
          h = AttentionBlock.apply(l, name + "/attn", h, ch, spec.groups());
        }
      }
      if (level != 0) {
        h = l.conv("up" + level + "/upsample", l.upsample2x(h), ch, ch, 3, 1);
        res *= 2;
      }
    }
    h = l.silu(l.groupNorm("norm_out", h, ch, spec.groups()));
    return l.conv("conv_out", h, ch, spec.outChannels(), 3, 1);
  }
}
