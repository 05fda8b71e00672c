package org.diffusiondepot.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.diffusiondepot.config.ConfigLoader;
import org.diffusiondepot.runtime.Tensors;
import org.diffusiondepot.train.BatchShards;
import org.diffusiondepot.train.TrainingGraph;
import org.diffusiondepot.train.TrainingLayout;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tensorflow.GraphOperation;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.RunMetadata;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.types.TFloat32;

/**
 * A denoiser's training graph with a tower on each of two workers (two servers in this JVM):
 * without placement every gradient op runs on the chief, the session's own task, because
 * {@code Graph.addGradients} places nothing; with {@link TowerPlacement} tower 1's backprop runs
 * on worker 1. Measured from the partition graphs TensorFlow reports for a step.
 */
class TowerPlacementTest {
  static final String CONFIG = """
      name: "placement" task: UNCONDITIONAL
      model { base_channels: 8 channel_mults: [1, 2] blocks_per_level: 1 block: RESNET_3X3 group_norm_groups: 4 }
      diffusion { beta_schedule: LINEAR variance: SAME }
      data { resolution: 8 }
      train { batch_size: 4 iterations: 10 learning_rate: 1e-3 devices: [%s] }
      """;
  static final List<String> DEVICES = TrainingLayout.of(org.diffusiondepot.proto.TrainConfig.getDefaultInstance())
      .acrossWorkers(ClusterSpec.WORKER, 2).devices();
  /** A generous operation timeout: the first step of a graph is slow on a busy 2-core machine. */
  static final ConfigProto CONFIG_PROTO = ClusterConfigs.worker(1, Duration.ofSeconds(300));
  static ClusterServer chief;
  static ClusterServer worker;
  /** Ops the partitioner adds to move tensors between tasks: not tower 1's computation. */
  static final java.util.Set<String> TRANSFERS = java.util.Set.of("_Send", "_Recv", "_HostSend", "_HostRecv", "_Arg",
      "_Retval");

  @BeforeAll
  static void startTwoWorkers() {
    List<ClusterServer> servers = LocalCluster.startTwo(CONFIG_PROTO);
    chief = servers.get(0);
    worker = servers.get(1);
  }

  static TrainingGraph graph() {
    String devices = String.join(", ", DEVICES.stream().map(d -> "\"" + d + "\"").toList());
    return new TrainingGraph(ConfigLoader.parse(CONFIG.formatted(devices), "placement"));
  }

  @Test
  void everyGradientOpOfATowerGetsTheTowersDevice() {
    assertEquals(List.of("/job:worker/task:0/device:CPU:0", "/job:worker/task:1/device:CPU:0"), DEVICES);
    TrainingGraph g = graph();
    try {
      Map<String, Integer> placed = TowerPlacement.place(g.graph, DEVICES);
      assertEquals(DEVICES, List.copyOf(placed.keySet()));
      int unplaced = 0;
      for (Iterator<GraphOperation> it = g.graph.operations(); it.hasNext(); ) {
        GraphOperation op = it.next();
        if (op.name().startsWith("tower_0/") || op.name().startsWith("tower_1/")) {
          assertEquals(DEVICES.get(op.name().charAt(6) - '0'), op.device(), op.name());
        } else if (op.device().isEmpty()) {
          unplaced++;
        }
      }
      assertTrue(placed.get(DEVICES.get(1)) > 50, "tower 1's gradient ops: " + placed);
      assertTrue(unplaced > 0, "ops outside the towers' gradients (variables, optimizer) keep no device");
      assertTrue(TowerPlacement.opsOnTask(g.graph, 1) >= placed.get(DEVICES.get(1)));
    } finally {
      g.graph.close();
    }
  }

  @Test
  @Timeout(900)
  void withThePlacementTowerOnesBackpropRunsOnWorkerOne() {
    Map<String, Integer> unplaced = gradientOpsPerTask(false);
    Map<String, Integer> placed = gradientOpsPerTask(true);
    System.out.println("tower_1 gradient ops per task, unplaced: " + unplaced + ", placed: " + placed);
    // The placer moves some cheap ops (shapes, reshapes) next to their inputs on worker 1, but
    // every convolution and matmul of tower 1's backprop stays on the chief.
    assertEquals(0, unplaced.getOrDefault("task:1 heavy", 0), "without placement: " + unplaced);
    assertTrue(unplaced.getOrDefault("task:0 heavy", 0) >= 10, unplaced.toString());
    assertEquals(0, placed.getOrDefault("task:0 heavy", 0) + placed.getOrDefault("task:0", 0),
        "none of it left on the chief: " + placed);
    assertEquals(unplaced.get("task:0 heavy"), placed.get("task:1 heavy"), "tower 1's backprop on worker 1: " + placed);
  }

  /**
   * One training step; how many of tower 1's gradient ops ran in each task's partition ("task:i"),
   * and how many of those were convolutions or matmuls ("task:i heavy").
   */
  static Map<String, Integer> gradientOpsPerTask(boolean place) {
    TrainingGraph g = graph();
    try {
      if (place) {
        TowerPlacement.place(g.graph, DEVICES);
      }
      try (Session s = RemoteSession.open(g.graph, chief.target(), CONFIG_PROTO, Duration.ofSeconds(10))) {
        s.initialize();
        // each worker feeds its own two rows of the batch of 4: the chief as a placeholder, worker 1 through its queue
        BatchShards.Shard rows = BatchShards.of(BatchShards.plan(g.layout, 4).orElseThrow(), 1);
        try (BatchShards.Writer writer = new BatchShards.Writer(worker.target(), rows, g.batchInputs);
            TFloat32 theirs = Tensors.of(new float[2 * 8 * 8 * 3], 2, 8, 8, 3)) {
          writer.put(0, List.of(theirs));
        }
        float[] images = new float[2 * 8 * 8 * 3];
        try (TFloat32 x = Tensors.of(images, 2, 8, 8, 3);
            Result r = s.runner().feed(g.x0, x).addTarget(g.trainStep).fetch(g.loss)
                .setOptions(RunOptions.newBuilder().setOutputPartitionGraphs(true).build()).runAndFetchMetadata()) {
          RunMetadata meta = r.getMetadata().orElseThrow();
          Map<String, Integer> perTask = new TreeMap<>();
          for (GraphDef partition : meta.getPartitionGraphsList()) {
            for (NodeDef node : partition.getNodeList()) {
              if (node.getName().startsWith("tower_1/") && !TRANSFERS.contains(node.getOp())) {
                String device = node.getDevice();
                String task = device.replaceAll(".*/(task:\\d+)/.*", "$1");
                perTask.merge(task, 1, Integer::sum);
                // oneDNN's rewrite renames them (_MklNativeConv2DBackpropFilter, _MklBatchMatMulV2)
                if (node.getOp().contains("Conv2DBackprop") || node.getOp().contains("MatMul")) {
                  perTask.merge(task + " heavy", 1, Integer::sum);
                }
              }
            }
          }
          return perTask;
        }
      }
    } finally {
      g.graph.close();
    }
  }
}
