package org.diffusiondepot.train;

import java.util.List;
import org.diffusiondepot.optim.DeviceNames;
import org.diffusiondepot.optim.Towers;
import org.diffusiondepot.proto.Precision;
import org.diffusiondepot.proto.TrainConfig;
import org.diffusiondepot.config.ConfigException;
import org.diffusiondepot.runtime.Devices;
import org.diffusiondepot.runtime.SessionConfigs;
import org.tensorflow.DeviceSpec;
import org.tensorflow.proto.ConfigProto;

/**
 * How a training step is laid out on the hardware: the replica devices, the micro-batches per
 * replica and the arithmetic ({@code train.devices}, {@code train.accumulation_steps},
 * {@code train.precision}). Checkpoints do not depend on it: a run can resume on another layout.
 */
public record TrainingLayout(List<String> devices, int accumulation, Precision precision) {
  public TrainingLayout {
    devices = List.copyOf(devices);
  }

  public static TrainingLayout of(TrainConfig train) {
    return new TrainingLayout(train.getDevicesList(), Math.max(1, train.getAccumulationSteps()),
        train.getPrecision() == Precision.PRECISION_UNSPECIFIED ? Precision.FP32 : train.getPrecision());
  }

  public Towers.Layout towers() {
    return new Towers.Layout(devices, accumulation);
  }

  /** fp16 needs dynamic loss scaling; bf16 has fp32's range and does not. */
  public boolean lossScaling() {
    return precision == Precision.FP16;
  }

  /**
   * The session settings: as many virtual CPU devices as the layout names.
   *
   * @throws ConfigException for fp16 where TensorFlow sees no GPU: its CPU kernels have no fp16
   *     batched matmul (attention) and emulate fp16 convolutions slowly; bf16 is the CPU's 16 bits
   */
  public ConfigProto sessionConfig() {
    if (precision == Precision.FP16 && Devices.gpus() == 0) {
      throw new ConfigException("train.precision: FP16 needs a GPU and TensorFlow sees none here; on CPUs use BF16 "
          + "(--precision BF16), which has fp32's range and needs no loss scaling");
    }
    int cpus = 1;
    for (String name : devices) {
      DeviceSpec spec = DeviceNames.parse(name);
      if (spec.deviceType() == DeviceSpec.DeviceType.CPU && spec.job() == null) {
        cpus = Math.max(cpus, spec.deviceIndex() + 1);
      }
    }
    return SessionConfigs.training(cpus);
  }

  /** E.g. "2 replicas (/device:CPU:0, /device:CPU:1) x 4 micro-batches, bf16". */
  public String describe() {
    String replicas = devices.isEmpty() ? "1 device" : devices.size() + (devices.size() == 1 ? " replica (" : " replicas (")
        + String.join(", ", devices) + ")";
    return replicas + (accumulation > 1 ? " x " + accumulation + " micro-batches" : "") + ", "
        + precision.name().toLowerCase();
  }
}
