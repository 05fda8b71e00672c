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
  private final boolean ownBackward;
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
    this(spec, arithmetic, leanActivations, true);
  }

  /**
   * @param ownBackward the layers' own backward passes ({@link Layers}): for graphs that are
   *     differentiated; inference graphs (exports, sampling, validation) are plainer without them
   */
  public UNet(UNetSpec spec, Arithmetic arithmetic, boolean leanActivations, boolean ownBackward) {
    this.spec = spec;
    this.arithmetic = arithmetic;
    this.leanActivations = leanActivations;
    this.ownBackward = ownBackward;
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
    return apply(tf, params, x, t, label, null);
  }

  /**
   * As above, built as segments of {@code recomputation} when it is not null: the time embedding,
   * conv_in, each block with its attention, each resampling conv, the middle and the output head,
   * so that training keeps only the block boundaries (the skips) for the backward pass.
   */
  public Operand<TFloat32> apply(Ops tf, ParameterStore params, Operand<TFloat32> x, Operand<TInt32> t,
      Operand<TInt32> label, Recomputation recomputation) {
    Layers l = new Layers(tf, recomputation == null ? params : recomputation.store(params), arithmetic,
        leanActivations, ownBackward);
    Segments segments = (name, inputs, body) -> recomputation == null ? body.apply(l, inputs)
        : recomputation.segment(l, name, inputs, body);
    int base = spec.baseChannels();
    int embDim = spec.embeddingDim();
    if (spec.numClasses() > 0 && label == null) {
      throw new IllegalArgumentException("a class-conditional UNet needs a label input");
    }
    Operand<TFloat32> emb = segments.build("embedding", label == null ? List.of(t) : List.of(t, label), (e, in) -> {
      Operand<TFloat32> time = TimeEmbedding.mlp(e, in.get(0).asOutput().expect(TInt32.class), base, embDim);
      return spec.numClasses() == 0 ? time : e.tf().math.add(time,
          e.embedding("class_embedding", in.get(1).asOutput().expect(TInt32.class), spec.numClasses() + 1, embDim));
    });
    List<Integer> mults = spec.channelMults();
    Deque<Operand<TFloat32>> skips = new ArrayDeque<>();
    Deque<Integer> skipChannels = new ArrayDeque<>();
    Operand<TFloat32> h = segments.build("conv_in", List.of(x),
        (e, in) -> e.conv("conv_in", floats(in, 0), spec.inChannels(), base, 3, 1));
    skips.push(h);
    skipChannels.push(base);
    int ch = base;
    int res = spec.imageSize();
    for (int level = 0; level < mults.size(); level++) {
      int out = base * mults.get(level);
      for (int i = 0; i < spec.blocksPerLevel(); i++) {
        String name = "down" + level + "/block" + i;
        int in = ch;
        boolean attention = spec.attentionResolutions().contains(res);
        h = segments.build(name, List.of(h, emb), (e, inputs) -> {
          Operand<TFloat32> y = block.apply(e, name, floats(inputs, 0), in, out, floats(inputs, 1), embDim);
          return attention ? AttentionBlock.apply(e, name + "/attn", y, out, spec.groups()) : y;
        });
        ch = out;
        skips.push(h);
        skipChannels.push(ch);
      }
      if (level != mults.size() - 1) {
        String name = "down" + level + "/downsample";
        int width = ch;
        h = segments.build(name, List.of(h), (e, in) -> e.conv(name, floats(in, 0), width, width, 3, 2));
        res /= 2;
        skips.push(h);
        skipChannels.push(ch);
      }
    }
    int middle = ch;
    h = segments.build("mid", List.of(h, emb), (e, in) -> {
      Operand<TFloat32> y = block.apply(e, "mid/block0", floats(in, 0), middle, middle, floats(in, 1), embDim);
      if (spec.middleAttention()) {
        y = AttentionBlock.apply(e, "mid/attn", y, middle, spec.groups());
      }
      return block.apply(e, "mid/block1", y, middle, middle, floats(in, 1), embDim);
    });
    for (int level = mults.size() - 1; level >= 0; level--) {
      int out = base * mults.get(level);
      for (int i = 0; i <= spec.blocksPerLevel(); i++) {
        String name = "up" + level + "/block" + i;
        int in = ch + skipChannels.pop();
        boolean attention = spec.attentionResolutions().contains(res);
        h = segments.build(name, List.of(h, skips.pop(), emb), (e, inputs) -> {
          Operand<TFloat32> joined = e.tf().concat(List.of(floats(inputs, 0), floats(inputs, 1)), e.tf().constant(3));
          Operand<TFloat32> y = block.apply(e, name, joined, in, out, floats(inputs, 2), embDim);
          return attention ? AttentionBlock.apply(e, name + "/attn", y, out, spec.groups()) : y;
        });
        ch = out;
      }
      if (level != 0) {
        String name = "up" + level + "/upsample";
        int width = ch;
        h = segments.build(name, List.of(h), (e, in) -> e.conv(name, e.upsample2x(floats(in, 0)), width, width, 3, 1));
        res *= 2;
      }
    }
    int last = ch;
    return segments.build("out", List.of(h), (e, in) ->
        e.conv("conv_out", e.silu(e.groupNorm("norm_out", floats(in, 0), last, spec.groups())), last,
            spec.outChannels(), 3, 1));
  }

  /** Builds a named piece of the network, inline or as a recomputed segment. */
  @FunctionalInterface
  private interface Segments {
    Operand<TFloat32> build(String name, List<Operand<?>> inputs, Recomputation.Body body);
  }

  private static Operand<TFloat32> floats(List<Operand<?>> inputs, int i) {
    return inputs.get(i).asOutput().expect(TFloat32.class);
  }
}
