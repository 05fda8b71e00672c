package org.diffusiondepot.cluster.probe;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.diffusiondepot.cluster.ClusterConfigs;
import org.diffusiondepot.cluster.ClusterServer;
import org.diffusiondepot.cluster.ClusterSpec;
import org.diffusiondepot.cluster.CollectiveAllReduce;
import org.diffusiondepot.cluster.RemoteSession;
import org.diffusiondepot.cluster.TowerPlacement;
import org.diffusiondepot.runtime.Tensors;
import org.tensorflow.DeviceSpec;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.RunMetadata;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.types.TFloat32;

/**
 * One process of the data-parallel probes that {@link ProbeRunner} starts: it trains {@link
 * ProbeMlp} with AdamW-style raw Adam updates in one of three layouts, or times one gradient
 * exchange. Arguments are {@code mode key=value...}; results are printed as {@code RESULT ...}
 * lines. Every process uses one intra-op and one inter-op thread.
 *
 * <ul>
 *   <li>{@code single}: one process, one tower, a local session (the reference).
 *   <li>{@code collective}: between-graph replication; each worker has its own graph, variables and
 *       session, and averages its gradients with the others' through CollectiveReduceV2.
 *   <li>{@code ingraph}: the chief's one graph has a tower on each worker's CPU; the variables and
 *       the update live on the chief. The other worker only runs {@code serve}.
 * </ul>
 */
public final class ReplicationProbe {
  private static final float LEARNING_RATE = 0.01f;
  private static final float BETA1 = 0.9f;
  private static final float BETA2 = 0.999f;

  private ReplicationProbe() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> o = new HashMap<>();
    for (int i = 1; i < args.length; i++) {
      String[] kv = args[i].split("=", 2);
      o.put(kv[0], kv[1]);
    }
    switch (args[0]) {
      case "single" -> train(o, Layout.SINGLE);
      case "collective" -> train(o, Layout.COLLECTIVE);
      case "ingraph" -> train(o, Layout.IN_GRAPH);
      case "serve" -> serve(o);
      case "exchange-collective" -> exchangeCollective(o);
      case "exchange-ingraph" -> exchangeInGraph(o);
      default -> throw new IllegalArgumentException("unknown mode " + args[0]);
    }
    // Servers cannot be stopped (Server.stop throws); leave the process the only way there is.
    System.out.flush();
    System.exit(0);
  }

  enum Layout { SINGLE, COLLECTIVE, IN_GRAPH }

  static int task(Map<String, String> o) {
    return Integer.parseInt(o.getOrDefault("task", "0"));
  }

  static ClusterSpec spec(Map<String, String> o) {
    String json = "{\"cluster\": {\"worker\": [\"localhost:" + o.get("p0") + "\", \"localhost:" + o.get("p1")
        + "\"]}, \"task\": {\"type\": \"worker\", \"index\": " + task(o) + "}}";
    return ClusterSpec.fromTfConfig(json);
  }

  static Duration opTimeout(Map<String, String> o) {
    return Duration.ofMillis(Long.parseLong(o.getOrDefault("opTimeoutMs", "0")));
  }

  static ConfigProto collectiveConfig(Map<String, String> o) {
    int threads = Integer.parseInt(o.getOrDefault("threads", "1"));
    ConfigProto c = ClusterConfigs.collective(threads, opTimeout(o), task(o));
    if (o.containsKey("recvBufMaxChunk")) {
      ConfigProto.Builder b = c.toBuilder();
      b.getExperimentalBuilder().setRecvBufMaxChunk(Integer.parseInt(o.get("recvBufMaxChunk")));
      c = b.build();
    }
    return c;
  }

  static ConfigProto inGraphConfig(Map<String, String> o) {
    return ClusterConfigs.worker(1, opTimeout(o));
  }

  /** Starts this task's server and serves until killed: the non-chief side of in-graph replication. */
  static void serve(Map<String, String> o) {
    ClusterServer server = ClusterServer.start(spec(o), inGraphConfig(o));
    System.out.println("READY " + server.target());
    server.join();
  }

  static Ops onWorker(Ops tf, int task) {
    return tf.withDevice(DeviceSpec.newBuilder().job("worker").replica(0).task(task)
        .deviceType(DeviceSpec.DeviceType.CPU).deviceIndex(0).build());
  }

  static void train(Map<String, String> o, Layout layout) throws Exception {
    ProbeMlp mlp = new ProbeMlp(Integer.parseInt(o.getOrDefault("in", "32")),
        Integer.parseInt(o.getOrDefault("hidden", "64")), Integer.parseInt(o.getOrDefault("out", "16")));
    int steps = Integer.parseInt(o.getOrDefault("steps", "3"));
    int batch = Integer.parseInt(o.getOrDefault("batch", "8"));
    float collectiveTimeout = Float.parseFloat(o.getOrDefault("collectiveTimeout", "0"));
    long runTimeoutMs = Long.parseLong(o.getOrDefault("runTimeoutMs", "0"));
    int task = task(o);
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      int towers = layout == Layout.IN_GRAPH ? 2 : 1;
      Ops varOps = switch (layout) {
        case SINGLE -> tf;
        case COLLECTIVE -> onWorker(tf, task);
        case IN_GRAPH -> onWorker(tf, 0);
      };
      List<Variable<TFloat32>> vars = mlp.variables(varOps);
      List<Operand<?>> inits = new ArrayList<>(mlp.initOps(varOps, vars));
      List<Placeholder<TFloat32>> xs = new ArrayList<>();
      List<Placeholder<TFloat32>> ys = new ArrayList<>();
      List<List<Operand<TFloat32>>> towerGrads = new ArrayList<>();
      List<Operand<TFloat32>> losses = new ArrayList<>();
      for (int t = 0; t < towers; t++) {
        Ops to = layout == Layout.IN_GRAPH ? onWorker(tf, t) : varOps;
        Placeholder<TFloat32> x = mlp.inputs(to, "x" + t, batch);
        Placeholder<TFloat32> y = mlp.targets(to, "y" + t, batch);
        List<Operand<TFloat32>> reads = new ArrayList<>();
        for (Variable<TFloat32> v : vars) {
          reads.add(to.identity(v));
        }
        Operand<TFloat32> loss = mlp.loss(to, x, y, reads);
        xs.add(x);
        ys.add(y);
        losses.add(loss);
        towerGrads.add(ProbeMlp.gradients(g, "tower_" + t, loss, reads));
      }
      List<Operand<TFloat32>> grads = new ArrayList<>();
      for (int k = 0; k < vars.size(); k++) {
        Operand<TFloat32> gk = towerGrads.get(0).get(k);
        if (layout == Layout.IN_GRAPH) {
          gk = varOps.math.mul(varOps.math.add(gk, towerGrads.get(1).get(k)), varOps.constant(0.5f));
        } else if (layout == Layout.COLLECTIVE) {
          gk = CollectiveAllReduce.mean(varOps, gk, 2, 1, k + 1, collectiveTimeout);
        }
        grads.add(gk);
      }
      Placeholder<TFloat32> beta1Power = varOps.withName("beta1_power").placeholder(TFloat32.class);
      Placeholder<TFloat32> beta2Power = varOps.withName("beta2_power").placeholder(TFloat32.class);
      // Every update waits for every gradient: backprop reads the weights in place.
      Ops gated = varOps.withControlDependencyOps(grads.stream().map(Operand::op).toList());
      List<Op> updates = new ArrayList<>();
      List<Operand<TFloat32>> weights = new ArrayList<>();
      for (int k = 0; k < vars.size(); k++) {
        Variable<TFloat32> v = vars.get(k);
        Variable<TFloat32> m = varOps.variable(v.shape(), TFloat32.class);
        Variable<TFloat32> s = varOps.variable(v.shape(), TFloat32.class);
        inits.add(varOps.assign(m, varOps.zeros(varOps.constant(v.shape()), TFloat32.class)));
        inits.add(varOps.assign(s, varOps.zeros(varOps.constant(v.shape()), TFloat32.class)));
        updates.add(gated.train.applyAdam(v, m, s, beta1Power, beta2Power, gated.constant(LEARNING_RATE),
            gated.constant(BETA1), gated.constant(BETA2), gated.constant(1e-8f), grads.get(k)));
        weights.add(varOps.identity(v));
      }
      Op step = varOps.withControlDependencies(updates).noOp();
      Operand<TFloat32> meanLoss = towers == 1 ? losses.get(0)
          : varOps.math.mul(varOps.math.add(losses.get(0), losses.get(1)), varOps.constant(0.5f));

      // TensorFlow Java's addGradients leaves gradient ops unplaced, so the placer puts every
      // tower's backprop on the chief. placeGradients=true pins each tower's gradient ops to that
      // tower's device (TowerPlacement, as training does).
      boolean place = layout == Layout.IN_GRAPH && Boolean.parseBoolean(o.getOrDefault("placeGradients", "false"));
      if (place) {
        TowerPlacement.place(g, List.of(ClusterSpec.workerCpu(0), ClusterSpec.workerCpu(1)));
      }
      Session session;
      if (layout == Layout.SINGLE) {
        session = new Session(g, ClusterConfigs.worker(1, Duration.ZERO));
      } else {
        ClusterSpec spec = spec(o);
        ConfigProto config = layout == Layout.COLLECTIVE ? collectiveConfig(o) : inGraphConfig(o);
        ClusterServer server = ClusterServer.start(spec, config);
        session = RemoteSession.open(g, server.target(), config, Duration.ofSeconds(30));
      }
      System.out.println("PARAMS " + mlp.parameterCount());
      try (session) {
        runSteps(o, session, mlp, layout, task, steps, batch, runTimeoutMs, names(inits), names(xs), names(ys),
            step.op().name(), name(meanLoss), name(beta1Power), name(beta2Power), names(weights));
      }
    }
  }

  static String name(Operand<?> operand) {
    return operand.op().name() + ":" + operand.asOutput().index();
  }

  static List<String> names(List<? extends Operand<?>> operands) {
    return operands.stream().map(ReplicationProbe::name).toList();
  }

  static void runSteps(Map<String, String> o, Session session, ProbeMlp mlp, Layout layout, int task, int steps,
      int batch, long runTimeoutMs, List<String> inits, List<String> xs, List<String> ys, String step,
      String meanLoss, String beta1Power, String beta2Power, List<String> weights) throws IOException {
    int towers = xs.size();
    Session.Runner init = session.runner();
    inits.forEach(i -> init.addTarget(i.substring(0, i.indexOf(':'))));
    init.run();
    RunOptions.Builder runOptions = RunOptions.newBuilder().setTimeoutInMs(runTimeoutMs);
    // Only session.run is timed (the Java-side batch making is not), and the median step is
    // reported: the machine is shared, and other people's jobs make single steps 5x slower.
    List<Double> runMs = new ArrayList<>();
    for (int i = 0; i < steps; i++) {
      Session.Runner r = session.runner().addTarget(step).fetch(meanLoss);
      List<Tensor> fed = new ArrayList<>();
      for (int t = 0; t < towers; t++) {
        // Global batch rows: tower t of worker `task` takes its own consecutive block.
        int first = (layout == Layout.COLLECTIVE ? task : t) * batch;
        TFloat32 x = TFloat32.tensorOf(Shape.of(batch, mlp.in), DataBuffers.of(mlp.x(i, first, batch)));
        TFloat32 y = TFloat32.tensorOf(Shape.of(batch, mlp.out), DataBuffers.of(mlp.y(i, first, batch)));
        fed.add(x);
        fed.add(y);
        r.feed(xs.get(t), x).feed(ys.get(t), y);
      }
      try (TFloat32 b1 = TFloat32.scalarOf((float) Math.pow(BETA1, i + 1));
          TFloat32 b2 = TFloat32.scalarOf((float) Math.pow(BETA2, i + 1))) {
        r.feed(beta1Power, b1).feed(beta2Power, b2).setOptions(runOptions.setOutputPartitionGraphs(i == 0).build());
        long t0 = System.nanoTime();
        try (Result res = i == 0 ? r.runAndFetchMetadata() : r.run()) {
          if (i == 0 && res.getMetadata().isPresent()) {
            printPlacement(res.getMetadata().get());
          }
          double ms = (System.nanoTime() - t0) / 1e6;
          if (i > 0) {
            runMs.add(ms);
          }
          System.out.printf("STEP %d loss=%.6f ms=%.1f%n", i, ((TFloat32) res.get(0)).getFloat(), ms);
        }
      } finally {
        fed.forEach(Tensor::close);
      }
    }
    double msPerStep = runMs.isEmpty() ? Double.NaN : runMs.stream().sorted().toList().get(runMs.size() / 2);
    System.out.printf("RESULT msPerStep=%.2f examplesPerStep=%d%n", msPerStep,
        batch * (layout == Layout.SINGLE ? 1 : 2));
    if (o.containsKey("weights")) {
      Session.Runner r = session.runner();
      weights.forEach(r::fetch);
      try (Result res = r.run();
          DataOutputStream out = new DataOutputStream(Files.newOutputStream(Path.of(o.get("weights"))))) {
        for (int k = 0; k < weights.size(); k++) {
          for (float f : Tensors.floats((TFloat32) res.get(k))) {
            out.writeFloat(f);
          }
        }
      }
    }
  }

  /** Which device each partition's matmuls (forward and backward) ran on: where the work went. */
  static void printPlacement(RunMetadata meta) {
    for (var partition : meta.getPartitionGraphsList()) {
      String device = partition.getNodeCount() == 0 ? "?" : partition.getNode(0).getDevice();
      long matmuls = partition.getNodeList().stream().filter(n -> n.getOp().contains("MatMul")).count();
      long grads = partition.getNodeList().stream()
          .filter(n -> n.getOp().contains("MatMul") && n.getName().startsWith("tower_")).count();
      System.out.printf("PLACEMENT %s nodes=%d matmuls=%d gradientMatmuls=%d%n", device, partition.getNodeCount(),
          matmuls, grads);
    }
  }

  /** Times CollectiveReduceV2 of n floats between the two workers (run by both). */
  static void exchangeCollective(Map<String, String> o) {
    int n = Integer.parseInt(o.get("n"));
    int reps = Integer.parseInt(o.getOrDefault("reps", "10"));
    int task = task(o);
    try (Graph g = new Graph()) {
      Ops tf = onWorker(Ops.create(g), task);
      Variable<TFloat32> v = tf.variable(Shape.of(n), TFloat32.class);
      Op init = tf.assign(v, tf.fill(tf.constant(new int[] {n}), tf.constant(1f + task)));
      Operand<TFloat32> mean = CollectiveAllReduce.mean(tf, tf.identity(v), 2, 1, 1, 0f,
          Long.parseLong(o.getOrDefault("subdivs", "-1")));
      // Fetch a sum, not a control dependency: Grappler turns ops whose outputs only feed
      // control edges into no-ops, which would time nothing.
      Operand<TFloat32> sync = tf.sum(mean, tf.constant(0));
      Operand<TFloat32> check = tf.slice(mean, tf.constant(new int[] {0}), tf.constant(new int[] {1}));
      ConfigProto config = collectiveConfig(o);
      ClusterServer server = ClusterServer.start(spec(o), config);
      try (Session s = RemoteSession.open(g, server.target(), config, Duration.ofSeconds(30))) {
        s.runner().addTarget(init).run();
        try (Result r = s.runner().fetch(check).run()) {
          System.out.println("CHECK mean[0]=" + ((TFloat32) r.get(0)).getFloat() + " (expected 1.5)");
        }
        timeRuns(s, sync, reps, "collective", n);
      }
    }
  }

  /**
   * Times what in-graph replication moves per step for the other worker: the weights from the
   * chief to worker 1 and worker 1's gradient back, added to the chief's (run by the chief).
   */
  static void exchangeInGraph(Map<String, String> o) {
    int n = Integer.parseInt(o.get("n"));
    int reps = Integer.parseInt(o.getOrDefault("reps", "10"));
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Ops chief = onWorker(tf, 0);
      Variable<TFloat32> v = chief.variable(Shape.of(n), TFloat32.class);
      Op init = chief.assign(v, chief.fill(chief.constant(new int[] {n}), chief.constant(1f)));
      Operand<TFloat32> remote = onWorker(tf, 1).math.mul(onWorker(tf, 1).identity(v), onWorker(tf, 1).constant(0.5f));
      Operand<TFloat32> sum = chief.math.add(remote, chief.identity(v));
      Operand<TFloat32> sync = chief.sum(sum, chief.constant(0));
      Operand<TFloat32> local = chief.sum(chief.math.add(chief.math.mul(chief.identity(v), chief.constant(0.5f)),
          chief.identity(v)), chief.constant(0));
      ConfigProto config = inGraphConfig(o);
      ClusterServer server = ClusterServer.start(spec(o), config);
      try (Session s = RemoteSession.open(g, server.target(), config, Duration.ofSeconds(30))) {
        s.runner().addTarget(init).run();
        timeRuns(s, local, reps, "ingraph-local-arithmetic", n);
        timeRuns(s, sync, reps, "ingraph", n);
      }
    }
  }

  static void timeRuns(Session s, Operand<TFloat32> fetch, int reps, String label, int n) {
    for (int i = 0; i < 2; i++) {
      s.runner().fetch(fetch).run().close();
    }
    long t0 = System.nanoTime();
    for (int i = 0; i < reps; i++) {
      s.runner().fetch(fetch).run().close();
    }
    System.out.printf("RESULT exchange=%s floats=%d msPerExchange=%.2f%n", label, n, (System.nanoTime() - t0) / 1e6 / reps);
  }

}
