package org.diffusiondepot.firststage;

import java.util.IdentityHashMap;
import java.util.Map;
import org.diffusiondepot.nn.Arithmetic;
import org.diffusiondepot.nn.Layers;
import org.diffusiondepot.nn.ParameterStore;
import org.diffusiondepot.proto.ExperimentConfig;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The VQGAN first stage as latent diffusion uses it: image -> encoder -> 1x1 {@code quant_conv}
 * -> nearest codebook entry (the latent z, {@code embedding_dim} channels, side S / f) -> 1x1
 * {@code post_quant_conv} -> decoder -> image. The 1x1 convs are taming's: they let the encoder
 * width {@code latent_channels} differ from {@code embedding_dim}.
 * <p>
 * All parameters live under {@link #ROOT}; with a {@code VariableStore(tf, ROOT, ...)} their
 * checkpoint keys are {@code vqgan.encoder.*}, {@code vqgan.quant_conv.*},
 * {@code vqgan.quantizer.codebook}, {@code vqgan.post_quant_conv.*} and {@code vqgan.decoder.*}
 * (see {@link Encoder} and {@link Decoder}). The training run's checkpoints hold exactly these
 * (raw weights, no EMA), plus the discriminator and optimizer slots.
 * <p>
 * {@link #encode} and {@link #decode} may be called on the same store: each parameter is
 * requested from it once.
 */
public final class FirstStageNetwork {
  public static final String ROOT = "vqgan";
  static final String QUANT_CONV = "quant_conv";
  static final String POST_QUANT_CONV = "post_quant_conv";

  private final FirstStageSpec spec;
  private final Arithmetic arithmetic;
  private final Encoder encoder;
  private final Decoder decoder;
  private final VectorQuantizer quantizer;
  private final Map<ParameterStore, ReusingStore> stores = new IdentityHashMap<>();

  public FirstStageNetwork(FirstStageSpec spec) {
    this(spec, Arithmetic.FP32);
  }

  /**
   * @param arithmetic the type the encoder's and decoder's convolutions and attention products
   *     (and the 1x1 quant convs) run in; weights, norms, the quantiser and the losses stay fp32
   */
  public FirstStageNetwork(FirstStageSpec spec, Arithmetic arithmetic) {
    this.spec = spec;
    this.arithmetic = arithmetic;
    this.encoder = new Encoder(spec, arithmetic);
    this.decoder = new Decoder(spec, arithmetic);
    this.quantizer = new VectorQuantizer(spec.codebookSize(), spec.embeddingDim(), spec.commitmentBeta());
  }

  /** The network of a FIRST_STAGE config, in fp32 (as exports and the sampler run it). */
  public static FirstStageNetwork fromConfig(ExperimentConfig config) {
    return new FirstStageNetwork(FirstStageSpec.fromConfig(config));
  }

  /** The same network computing in {@code arithmetic}, on the same parameters. */
  public FirstStageNetwork in(Arithmetic arithmetic) {
    return new FirstStageNetwork(spec, arithmetic);
  }

  public Arithmetic arithmetic() {
    return arithmetic;
  }

  public FirstStageSpec spec() {
    return spec;
  }

  public VectorQuantizer quantizer() {
    return quantizer;
  }

  /** Side of z for images of side {@code imageSize}. */
  public int latentSize(int imageSize) {
    if (imageSize % spec.factor() != 0) {
      throw new IllegalArgumentException("image side " + imageSize + " is not a multiple of f = " + spec.factor());
    }
    return imageSize / spec.factor();
  }

  /** Channels of z (the codebook's embedding dimension). */
  public int latentChannels() {
    return spec.embeddingDim();
  }

  /**
   * The quantised latent of images, unscaled: the codebook vectors chosen for each position.
   *
   * @param image [B, S, S, C] in [-1, 1], S = {@code spec().imageSize()}
   * @return [B, S/f, S/f, embeddingDim]
   */
  public Operand<TFloat32> encode(Ops tf, ParameterStore p, Operand<TFloat32> image) {
    ParameterStore params = shared(p);
    Operand<TFloat32> z = preQuantization(tf, params, image);
    return quantizer.snap(tf, params, z);
  }

  /**
   * Images from latents: z is first snapped to its nearest codebook entries (as LDM decodes a VQ
   * latent, so a diffusion model's output lands on codes), then decoded.
   *
   * @param z [B, S/f, S/f, embeddingDim], unscaled
   * @return [B, S, S, C], roughly in [-1, 1] (not clipped)
   */
  public Operand<TFloat32> decode(Ops tf, ParameterStore p, Operand<TFloat32> z) {
    ParameterStore params = shared(p);
    return decodeQuantized(tf, params, quantizer.snap(tf, params, z));
  }

  /** Encoder and quant_conv: the continuous z before quantisation. */
  Operand<TFloat32> preQuantization(Ops tf, ParameterStore params, Operand<TFloat32> image) {
    Operand<TFloat32> h = encoder.apply(tf, params, image);
    return new Layers(tf, params, arithmetic).conv(QUANT_CONV, h, spec.latentChannels(), spec.embeddingDim(), 1, 1);
  }

  /** post_quant_conv and decoder, from quantised latents. */
  Operand<TFloat32> decodeQuantized(Ops tf, ParameterStore params, Operand<TFloat32> zq) {
    return decoder.apply(tf, params, postQuantization(tf, params, zq));
  }

  /** post_quant_conv: quantised latents to the decoder's input width. */
  Operand<TFloat32> postQuantization(Ops tf, ParameterStore params, Operand<TFloat32> zq) {
    return new Layers(tf, params, arithmetic).conv(POST_QUANT_CONV, zq, spec.embeddingDim(), spec.latentChannels(), 1, 1);
  }

  Decoder decoder() {
    return decoder;
  }

  private ParameterStore shared(ParameterStore p) {
    return p instanceof ReusingStore ? p : stores.computeIfAbsent(p, ReusingStore::new);
  }
}
