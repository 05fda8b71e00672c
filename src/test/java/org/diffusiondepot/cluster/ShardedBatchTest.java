package org.diffusiondepot.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.diffusiondepot.config.ConfigException;
import org.diffusiondepot.config.ConfigLoader;
import org.diffusiondepot.data.Batch;
import org.diffusiondepot.data.BatchLoader;
import org.diffusiondepot.data.BuiltinShapes;
import org.diffusiondepot.data.Split;
import org.diffusiondepot.proto.ExperimentConfig;
import org.diffusiondepot.proto.TrainConfig;
import org.diffusiondepot.run.TrainingData;
import org.diffusiondepot.runtime.Tensors;
import org.diffusiondepot.task.SignatureInput;
import org.diffusiondepot.train.BatchEncoder;
import org.diffusiondepot.train.BatchShards;
import org.diffusiondepot.train.DiffusionTraining;
import org.diffusiondepot.train.TrainingContext;
import org.diffusiondepot.train.TrainingGraph;
import org.diffusiondepot.train.TrainingLayout;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;

/**
 * Each worker reads its own rows of the batch: on two servers in this JVM, the chief feeds rows
 * 0-1 of an inpainting batch of 4 (images, masks, masked images) and worker 1 puts rows 2-3 into
 * its queue with {@link BatchShards.Writer}. One step then gives the loss and the weights of one
 * session fed the whole batch; rows that carry another step fail the step, naming the worker.
 */
class ShardedBatchTest {
  static final String CONFIG = """
      name: "shards" task: INPAINTING
      inpainting { min_mask_ratio: 0.2 max_mask_ratio: 0.4 }
      model { base_channels: 8 channel_mults: [1, 2] blocks_per_level: 1 block: RESNET_3X3 group_norm_groups: 4 }
      diffusion { beta_schedule: LINEAR variance: SAME }
      data { resolution: 8 }
      train { batch_size: 4 iterations: 10 learning_rate: 1e-2 seed: 3 %s }
      """;
  static final ConfigProto SESSION = ClusterConfigs.worker(1, Duration.ofSeconds(300));
  static ClusterServer chief;
  static ClusterServer worker;

  @BeforeAll
  static void startTwoWorkers() {
    List<ClusterServer> servers = LocalCluster.startTwo(SESSION);
    chief = servers.get(0);
    worker = servers.get(1);
  }

  static ExperimentConfig config(List<String> devices) {
    String list = devices.isEmpty() ? "" : "devices: [" + String.join(", ", devices.stream().map(d -> "\"" + d + "\"")
        .toList()) + "]";
    return ConfigLoader.parse(CONFIG.formatted(list), "shards");
  }

  @Test
  void shardsFollowTheTowersOfEachTask() {
    TrainingLayout two = TrainingLayout.of(TrainConfig.getDefaultInstance()).acrossWorkers(ClusterSpec.WORKER, 2);
    List<BatchShards.Shard> shards = BatchShards.plan(two, 16).orElseThrow();
    assertEquals(List.of(new BatchLoader.Rows(0, 8), new BatchLoader.Rows(8, 8)),
        shards.stream().map(BatchShards.Shard::rows).toList());
    TrainingLayout wide = new TrainingLayout(List.of("/device:CPU:0", "/device:CPU:1"), 2,
        org.diffusiondepot.proto.Precision.FP32).acrossWorkers(ClusterSpec.WORKER, 3);
    List<BatchShards.Shard> three = BatchShards.plan(wide, 24).orElseThrow();
    assertEquals(3, three.size());
    assertEquals(new BatchLoader.Rows(8, 8), three.get(1).rows());
    assertEquals(4, three.get(1).towers(), "2 devices x 2 micro-batches");
    assertTrue(BatchShards.plan(TrainingLayout.of(TrainConfig.getDefaultInstance()), 16).isEmpty(), "one machine");
    TrainingLayout apart = new TrainingLayout(List.of("/job:worker/task:0/device:CPU:0",
        "/job:worker/task:1/device:CPU:0", "/job:worker/task:0/device:CPU:1"), 1,
        org.diffusiondepot.proto.Precision.FP32);
    ConfigException e = assertThrows(ConfigException.class, () -> BatchShards.plan(apart, 6));
    assertTrue(e.getMessage().contains("train.devices"), e.getMessage());
  }

  @Test
  @Timeout(900)
  void rowsFedByTwoWorkersTrainAsTheWholeBatchInOneSession() {
    ExperimentConfig local = config(List.of());
    List<String> devices = TrainingLayout.of(local.getTrain()).acrossWorkers(ClusterSpec.WORKER, 2).devices();
    ExperimentConfig spread = config(devices);
    BuiltinShapes ds = new BuiltinShapes(8, 3, 12, 5);
    TrainingData data = new TrainingData(ds, Split.of(ds, 0.9, 1), "test");
    Batch whole = BatchLoader.load(ds, data.split().train(), 0, 4);
    int values = 8 * 8 * 3;
    Batch first = new Batch(Arrays.copyOf(whole.images(), 2 * values), Arrays.copyOf(whole.labels(), 2), 2, 8, 3);
    Batch second = new Batch(Arrays.copyOfRange(whole.images(), 2 * values, 4 * values),
        Arrays.copyOfRange(whole.labels(), 2, 4), 2, 8, 3);
    PrintStream quiet = new PrintStream(PrintStream.nullOutputStream());

    Map<String, float[]> expected;
    float expectedLoss;
    try (BatchEncoder encoder = DiffusionTraining.batches(new TrainingContext(local, data, quiet))) {
      TrainingGraph g = new TrainingGraph(local);
      try (Session s = new Session(g.graph, SESSION)) {
        s.initialize();
        expectedLoss = step(s, g, encoder.encode(whole, 0, 0));
        expected = weights(s, g);
      } finally {
        g.graph.close();
      }
    }

    TrainingGraph g = new TrainingGraph(spread);
    try (BatchEncoder encoder = DiffusionTraining.batches(new TrainingContext(spread, data, quiet))) {
      assertEquals(0, g.chiefFirstRow);
      TowerPlacement.place(g.graph, g.layout.towerDevices());
      BatchShards.Shard theirs = BatchShards.of(BatchShards.plan(g.layout, 4).orElseThrow(), 1);
      assertEquals(new BatchLoader.Rows(2, 2), theirs.rows());
      try (Session s = RemoteSession.open(g.graph, chief.target(), SESSION, Duration.ofSeconds(30));
          BatchShards.Writer writer = new BatchShards.Writer(worker.target(), theirs, g.batchInputs)) {
        s.initialize();
        put(writer, 0, encoder.encode(second, 0, 2));
        float loss = step(s, g, encoder.encode(first, 0, 0));
        assertEquals(expectedLoss, loss, 1e-5 * Math.abs(expectedLoss), "loss of the whole batch");
        Map<String, float[]> actual = weights(s, g);
        assertEquals(expected.keySet(), actual.keySet());
        for (String name : expected.keySet()) {
          float[] a = expected.get(name);
          float[] b = actual.get(name);
          for (int i = 0; i < a.length; i++) {
            assertEquals(a[i], b[i], 1e-5 * Math.max(1, Math.abs(a[i])), name + "[" + i + "]");
          }
        }

        // rows of the wrong step (a worker that fell out of step) fail the step, naming the worker
        put(writer, 7, encoder.encode(second, 7, 2));
        RuntimeException e = assertThrows(RuntimeException.class,
            () -> step(s, g, encoder.encode(first, 1, 0)));
        assertTrue(e.getMessage().contains("worker 1 fed rows of step"), e.getMessage());
      }
    } finally {
      g.graph.close();
    }
  }

  private static void put(BatchShards.Writer writer, long step, List<Tensor> rows) {
    try {
      writer.put(step, rows);
    } finally {
      rows.forEach(Tensor::close);
    }
  }

  /** One training step fed {@code rows} (x0, then the conditioning by name); the loss. */
  private static float step(Session s, TrainingGraph g, List<Tensor> rows) {
    List<Tensor> owned = new ArrayList<>(rows);
    // a small rate: Adam's first update is about rate * sign(g), so a tiny gradient's rounding moves it by up to the rate
    try (TFloat32 rate = TFloat32.scalarOf(1e-4f)) {
      Session.Runner runner = s.runner().feed(g.x0, rows.get(0)).feed(g.learningRate, rate);
      List<SignatureInput> inputs = g.batchInputs;
      for (int i = 1; i < inputs.size(); i++) {
        runner.feed(g.condition.get(inputs.get(i).name()), rows.get(i));
      }
      try (Result r = runner.addTarget(g.trainStep).fetch(g.loss).run()) {
        return ((TFloat32) r.get(0)).getFloat();
      }
    } finally {
      owned.forEach(Tensor::close);
    }
  }

  private static Map<String, float[]> weights(Session s, TrainingGraph g) {
    Map<String, float[]> out = new LinkedHashMap<>();
    for (var e : g.weights.variables().entrySet()) {
      try (Result r = s.runner().fetch(e.getValue()).run()) {
        out.put(e.getKey(), Tensors.floats((TFloat32) r.get(0)));
      }
    }
    return out;
  }
}
