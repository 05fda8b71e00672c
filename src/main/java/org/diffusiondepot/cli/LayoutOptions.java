package org.diffusiondepot.cli;

import java.util.ArrayList;
import java.util.List;
import org.diffusiondepot.proto.Precision;
import org.diffusiondepot.runtime.Devices;
import org.diffusiondepot.runtime.OptionException;
import picocli.CommandLine.Option;

/**
 * Shortcuts for a training step's layout on train and bench: {@code --devices N},
 * {@code --precision}, {@code --accumulation K}, {@code --recompute}. Each is a {@code --set} of the train field it
 * names, so it is validated with the config (a layout that does not divide the batch is refused
 * naming the field) and recorded in the run's config.
 */
final class LayoutOptions {
  @Option(names = "--devices", paramLabel = "N",
      description = "data-parallel replicas: N GPUs when TensorFlow sees them, otherwise N virtual CPU devices "
          + "(same code path, no speed-up); sets train.devices. A run resumes on any count")
  Integer devices;

  @Option(names = "--precision", paramLabel = "FP32|BF16|FP16",
      description = "arithmetic of the training step; sets train.precision (BF16 on CPUs with AVX512_BF16, "
          + "FP16 with loss scaling on GPUs)")
  Precision precision;

  @Option(names = "--accumulation", paramLabel = "K",
      description = "micro-batches per update, to trade steps for memory; sets train.accumulation_steps")
  Integer accumulation;

  @Option(names = "--recompute",
      description = "keep only the UNet's block boundaries for the backward pass and rebuild each block when "
          + "it is reached: far less memory for about a third more compute; sets train.recompute")
  boolean recompute;

  /** The options as {@code --set} assignments, in text format. */
  List<String> assignments() {
    List<String> out = new ArrayList<>();
    if (devices != null) {
      if (devices < 1) {
        throw new OptionException("--devices must be at least 1, got " + devices);
      }
      List<String> names = Devices.replicas(devices);
      out.add("train.devices=[" + String.join(", ", names.stream().map(n -> "\"" + n + "\"").toList()) + "]");
    }
    if (precision != null) {
      out.add("train.precision=" + precision.name());
    }
    if (accumulation != null) {
      out.add("train.accumulation_steps=" + accumulation);
    }
    if (recompute) {
      out.add("train.recompute=true");
    }
    return out;
  }
}
