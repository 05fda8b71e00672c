package org.diffusiondepot.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.diffusiondepot.config.ConfigException;
import org.diffusiondepot.config.ConfigLoader;
import org.diffusiondepot.proto.ExperimentConfig;
import org.diffusiondepot.proto.Precision;
import org.junit.jupiter.api.Test;

/**
 * On a cluster the replicas of a worker are its devices: train.devices (or one CPU) once per
 * worker, and train.batch_size stays the global batch, split into workers x devices x
 * micro-batches.
 */
class ClusterLayoutTest {
  @Test
  void eachWorkerGetsTheLocalDevicesOrOneCpu() {
    assertEquals(List.of("/job:worker/task:0/device:CPU:0", "/job:worker/task:1/device:CPU:0"),
        new TrainingLayout(List.of(), 1, Precision.FP32).acrossWorkers("worker", 2).devices());
    assertEquals(List.of("/job:worker/task:0/device:GPU:0", "/job:worker/task:0/device:GPU:1",
            "/job:worker/task:1/device:GPU:0", "/job:worker/task:1/device:GPU:1"),
        new TrainingLayout(List.of("/device:GPU:0", "/gpu:1"), 1, Precision.FP32).acrossWorkers("worker", 2).devices());
    TrainingLayout explicit = new TrainingLayout(List.of("/job:worker/task:1/device:CPU:0"), 1, Precision.FP32);
    assertSame(explicit, explicit.acrossWorkers("worker", 2));
  }

  @Test
  void towersFollowTheOrderOfOptimTowers() {
    TrainingLayout layout = new TrainingLayout(List.of("/device:CPU:0"), 2, Precision.FP32).acrossWorkers("worker", 2);
    assertEquals(List.of("/job:worker/task:0/device:CPU:0", "/job:worker/task:0/device:CPU:0",
        "/job:worker/task:1/device:CPU:0", "/job:worker/task:1/device:CPU:0"), layout.towerDevices());
  }

  @Test
  void serversGetTheVirtualCpusOfTheLayout() {
    TrainingLayout layout = new TrainingLayout(List.of("/device:CPU:0", "/device:CPU:1"), 1, Precision.FP32)
        .acrossWorkers("worker", 2);
    assertEquals(2, layout.sessionConfig().getDeviceCountOrDefault("CPU", 1));
  }

  @Test
  void theConfigIsSpreadAndValidated() {
    ExperimentConfig spread = ClusterChief.spread(config(16, ""), 2);
    assertEquals(List.of("/job:worker/task:0/device:CPU:0", "/job:worker/task:1/device:CPU:0"),
        spread.getTrain().getDevicesList());
    assertEquals(16, spread.getTrain().getBatchSize());
    ConfigException e = assertThrows(ConfigException.class, () -> ClusterChief.spread(config(6, "accumulation_steps: 2"), 2));
    assertEquals("train.batch_size 6 cannot be split into 4 towers (2 workers x 1 device(s) x 2 micro-batch(es)): on a "
        + "cluster it is the global batch, workers x devices x per-device batch; use a multiple of 4", e.getMessage());
  }

  static ExperimentConfig config(int batch, String train) {
    return ConfigLoader.parse("""
        name: "c" task: UNCONDITIONAL
        model { base_channels: 8 channel_mults: [1, 2] attention_resolutions: [4] block: RESNET_3X3 group_norm_groups: 4 }
        diffusion { beta_schedule: LINEAR variance: SAME }
        data { resolution: 8 }
        train { batch_size: %d iterations: 10 %s }
        """.formatted(batch, train), "c");
  }
}
