package org.diffusiondepot.runtime;

import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.RewriterConfig;

/**
 * Session settings shared by training, export and sampling. TensorFlow's thread pools are
 * process-wide (the first session's settings win), so every session is built from here.
 */
public final class SessionConfigs {
  static final String MEMORY_OPTIMIZATION = "depot.memoryOptimization";

  private SessionConfigs() {}

  /**
   * All cores inside each op, and two ops at a time so that the many small ops of a UNet (norms,
   * activations, the two halves of each convolution's backprop) overlap: measured 20% faster than
   * one op at a time on the tiny benchmark model, the same on large ones. Override with
   * -Ddepot.threads and -Ddepot.interOpThreads.
   */
  public static ConfigProto cpu() {
    int cores = Integer.getInteger("depot.threads", Runtime.getRuntime().availableProcessors());
    int interOp = Integer.getInteger("depot.interOpThreads", 2);
    return ConfigProto.newBuilder()
        .setIntraOpParallelismThreads(cores)
        .setInterOpParallelismThreads(interOp)
        .setAllowSoftPlacement(true)
        .build();
  }

  /**
   * Sampling sessions (the sampler jar): {@link #cpu()} without grappler. Its passes work over the
   * whole graph before the first denoising call, and a forward-only graph gains nothing from them
   * at run time. With all of them off, a one-step run of the 128 px ResNet export took 9.1-9.4 s
   * against 10.6-10.9 s, nine DDIM steps took as long as with the remapper's fused convolutions
   * (21.7-23.6 s against 23.2-24.7 s, alternating; the same with TF_ENABLE_ONEDNN_OPTS=1), and the
   * demo's cold start fell from 3.1 to 2.2 s (README, "Performance").
   */
  public static ConfigProto sampling() {
    return withoutGrappler(cpu());
  }

  /** {@code config} with grappler's passes off, as {@link #sampling()} runs (tools/depot bench times its sampling step so). */
  public static ConfigProto withoutGrappler(ConfigProto config) {
    ConfigProto.Builder builder = config.toBuilder();
    builder.getGraphOptionsBuilder().getRewriteOptionsBuilder().setDisableMetaOptimizer(true);
    return builder.build();
  }

  /**
   * Training sessions: {@link #cpu()} with {@code virtualCpus} CPU devices (replicas on one CPU, as
   * tests run them). Mixed precision needs nothing here: the graph itself casts its products to 16
   * bits ({@code nn.Arithmetic}); TensorFlow's auto-mixed-precision rewriter is deliberately off.
   *
   * <p>Without GPUs, grappler skips the passes that do nothing for a CPU graph in NHWC yet walk the
   * whole step graph before the first step: the layout optimiser (it moves GPU convolutions to
   * NCHW), the memory optimiser (its swapping and recomputation heuristics; {@code
   * -Ddepot.memoryOptimization} still asks for it), the TFG pipeline and the implementation
   * selector (it picks per-device implementations of functions; these graphs have none). The
   * remapper (fused convolutions), constant folding, the arithmetic and dependency optimisers stay.
   * The first step of the 128 px benchmark models took 10.2 s against 13.7 s (ResNet) and 12.0 s
   * against 16.3 s (ConvNeXt), with the same step times (README, "Performance").
   *
   * @param gpus whether the session may place ops on GPUs: all of grappler's passes then stay
   */
  public static ConfigProto training(int virtualCpus, boolean gpus) {
    ConfigProto.Builder config = cpu().toBuilder();
    if (virtualCpus > 1) {
      config.putDeviceCount("CPU", virtualCpus);
    }
    RewriterConfig.Builder rewrites = config.getGraphOptionsBuilder().getRewriteOptionsBuilder();
    if (!gpus) {
      rewrites.setLayoutOptimizer(RewriterConfig.Toggle.OFF)
          .setMemoryOptimization(RewriterConfig.MemOptType.NO_MEM_OPT)
          .setDisableTfgOptimizer(true)
          .setImplementationSelector(RewriterConfig.Toggle.OFF);
    }
    String memory = System.getProperty(MEMORY_OPTIMIZATION);
    if (memory != null) {
      rewrites.setMemoryOptimization(memoryOptimization(memory));
    }
    return config.build();
  }

  /**
   * Grappler's memory optimiser, a knob rather than a setting: on lhq_udm at batch 32 its
   * heuristics saved 5% of the peak (README, "Memory"), not enough to turn on for everyone.
   */
  static RewriterConfig.MemOptType memoryOptimization(String name) {
    try {
      RewriterConfig.MemOptType type = RewriterConfig.MemOptType.valueOf(name.strip());
      if (type != RewriterConfig.MemOptType.UNRECOGNIZED) {
        return type;
      }
    } catch (IllegalArgumentException e) {
      // reported below, with the accepted names
    }
    throw new OptionException("-D" + MEMORY_OPTIMIZATION + "=" + name + " is not one of " + java.util.Arrays.stream(
        RewriterConfig.MemOptType.values()).filter(t -> t != RewriterConfig.MemOptType.UNRECOGNIZED)
        .map(Enum::name).toList());
  }
}
