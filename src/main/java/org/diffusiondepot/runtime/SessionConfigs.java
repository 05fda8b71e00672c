package org.diffusiondepot.runtime;

import org.diffusiondepot.proto.Precision;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GraphOptions;
import org.tensorflow.proto.RewriterConfig;

/**
 * Session settings shared by training, export and sampling. TensorFlow's thread pools are
 * process-wide (the first session's settings win), so every session is built from here.
 */
public final class SessionConfigs {
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
   * Sampling sessions: {@link #cpu()}, and for a 16-bit export the same rewriter as training in
   * that precision (the SavedModel keeps fp32 weights; the rewriter runs the convolutions and
   * matmuls in 16 bits).
   */
  public static ConfigProto inference(Precision precision) {
    return precision == Precision.BF16 || precision == Precision.FP16 ? training(1, precision) : cpu();
  }

  /**
   * Training sessions: {@link #cpu()} with {@code virtualCpus} CPU devices (replicas on one CPU, as
   * tests run them) and the precision's rewriter. bf16 uses TensorFlow's oneDNN auto mixed
   * precision (convolutions and matmuls in bf16; Mean, Sum, Softmax and the loss stay fp32 by its
   * deny list); fp16 uses the GPU auto mixed precision and, on CPUs, its fp16 emulation.
   */
  public static ConfigProto training(int virtualCpus, Precision precision) {
    ConfigProto.Builder config = cpu().toBuilder();
    if (virtualCpus > 1) {
      config.putDeviceCount("CPU", virtualCpus);
    }
    RewriterConfig.Builder rewrite = RewriterConfig.newBuilder();
    switch (precision) {
      case BF16 -> rewrite.setAutoMixedPrecisionOnednnBfloat16(RewriterConfig.Toggle.ON);
      case FP16 -> rewrite.setAutoMixedPrecision(RewriterConfig.Toggle.ON)
          .setAutoMixedPrecisionCpu(RewriterConfig.Toggle.ON);
      default -> { }
    }
    if (precision == Precision.BF16 || precision == Precision.FP16) {
      config.setGraphOptions(GraphOptions.newBuilder().setRewriteOptions(rewrite));
    }
    return config.build();
  }
}
