package org.diffusiondepot.runtime;

import java.util.ArrayList;
import java.util.List;

/** The devices data-parallel replicas run on, from what TensorFlow's native sees ({@link TensorFlowNative}). */
public final class Devices {
  private static Integer gpus;

  private Devices() {}

  /**
   * The device names of {@code count} data-parallel replicas: the first GPUs when TensorFlow sees
   * that many, otherwise virtual CPU devices (one CPU split in {@code count}: the same code path,
   * no speed-up). One replica needs no name: TensorFlow places it.
   */
  public static List<String> replicas(int count) {
    if (count <= 1) {
      return List.of();
    }
    String type = gpus() >= count ? "GPU" : "CPU";
    List<String> names = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      names.add("/device:" + type + ":" + i);
    }
    return names;
  }

  /** How many GPUs TensorFlow can use here (listed once per process). */
  public static synchronized int gpus() {
    if (gpus == null) {
      gpus = TensorFlowNative.inspect().gpus().size();
    }
    return gpus;
  }
}
