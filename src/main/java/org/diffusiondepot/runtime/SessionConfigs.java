package org.diffusiondepot.runtime;

import org.tensorflow.proto.ConfigProto;

/**
 * Session settings shared by training, export and sampling. TensorFlow's thread pools are
 * process-wide (the first session's settings win), so every session is built from here.
 */
public final class SessionConfigs {
  private SessionConfigs() {}

  /** One op at a time, all cores inside it: the UNet's ops are large and mostly sequential. */
  public static ConfigProto cpu() {
    int cores = Integer.getInteger("depot.threads", Runtime.getRuntime().availableProcessors());
    int interOp = Integer.getInteger("depot.interOpThreads", 1);
    return ConfigProto.newBuilder()
        .setIntraOpParallelismThreads(cores)
        .setInterOpParallelismThreads(interOp)
        .setAllowSoftPlacement(true)
        .build();
  }
}
