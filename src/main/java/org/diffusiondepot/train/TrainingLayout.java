package org.diffusiondepot.train;

import java.util.List;
import org.diffusiondepot.optim.DeviceNames;
import org.diffusiondepot.optim.Towers;
import org.diffusiondepot.proto.Precision;
import org.diffusiondepot.runtime.CpuFeatures;
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
   * The session settings: as many virtual CPU devices as the layout names. Devices of a cluster
   * ({@code /job:worker/task:1/device:CPU:1}) count too: every server of the cluster starts with
   * these settings, so each worker has the CPU devices named.
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
    boolean gpus = false;
    for (String name : devices) {
      DeviceSpec spec = DeviceNames.parse(name);
      if (spec.deviceType() == DeviceSpec.DeviceType.CPU) {
        cpus = Math.max(cpus, spec.deviceIndex() + 1);
      }
      gpus |= spec.deviceType() == DeviceSpec.DeviceType.GPU;
    }
    // a layout without GPU names still runs on this machine's GPU when there is one
    return SessionConfigs.training(cpus, gpus || Devices.gpus() > 0);
  }

  /**
   * This layout on {@code workers} machines in in-graph replication: the devices of each worker
   * (this layout's devices, or its first CPU when none are named) as replicas, worker by worker,
   * e.g. /job:worker/task:1/device:GPU:0. A layout whose devices already name their tasks is
   * returned unchanged. The batch is then split into workers x devices x micro-batches.
   */
  public TrainingLayout acrossWorkers(String job, int workers) {
    List<DeviceSpec> local = devices.stream().map(DeviceNames::parse).toList();
    if (local.stream().anyMatch(d -> d.job() != null || d.task() != null)) {
      return this;
    }
    List<String> replicas = new java.util.ArrayList<>();
    for (int task = 0; task < workers; task++) {
      if (local.isEmpty()) {
        replicas.add("/job:" + job + "/task:" + task + "/device:CPU:0");
      }
      for (DeviceSpec device : local) {
        replicas.add("/job:" + job + "/task:" + task + "/device:" + device.deviceType().name() + ":"
            + (device.deviceIndex() == null ? 0 : device.deviceIndex()));
      }
    }
    return new TrainingLayout(replicas, accumulation, precision);
  }

  /** The device of each tower in the order optim.Towers builds them: replica by replica, its micro-batches in turn. */
  public List<String> towerDevices() {
    List<String> out = new java.util.ArrayList<>();
    for (String device : devices) {
      for (int k = 0; k < accumulation; k++) {
        out.add(device);
      }
    }
    return out;
  }

  /** A warning about this machine for this layout: BF16 on a CPU that emulates it ({@link CpuFeatures}). */
  public java.util.Optional<String> hardwareNote() {
    return precision == Precision.BF16 ? CpuFeatures.bf16Warning(Devices.gpus() > 0) : java.util.Optional.empty();
  }

  /** E.g. "2 replicas (/device:CPU:0, /device:CPU:1) x 4 micro-batches, bf16". */
  public String describe() {
    String replicas = devices.isEmpty() ? "1 device" : devices.size() + (devices.size() == 1 ? " replica (" : " replicas (")
        + String.join(", ", devices) + ")";
    return replicas + (accumulation > 1 ? " x " + accumulation + " micro-batches" : "") + ", "
        + precision.name().toLowerCase();
  }
}
