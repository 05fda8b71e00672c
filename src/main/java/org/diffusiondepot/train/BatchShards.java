package org.diffusiondepot.train;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.diffusiondepot.cluster.ClusterException;
import org.diffusiondepot.cluster.ClusterServer;
import org.diffusiondepot.cluster.RemoteSession;
import org.diffusiondepot.config.ConfigException;
import org.diffusiondepot.data.BatchLoader;
import org.diffusiondepot.optim.DeviceNames;
import org.diffusiondepot.optim.Towers;
import org.diffusiondepot.task.SignatureInput;
import org.tensorflow.DeviceSpec;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.io.FifoQueue;
import org.tensorflow.op.io.QueueDequeue;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TType;

/**
 * Every worker of a cluster reads its own rows of the global batch. The towers of worker w train
 * on rows {@code [first_w, first_w + rows_w)} of every batch (tower order, so the shards of all
 * workers together are the batch one process would train on); worker w loads those rows from its
 * own disk ({@link BatchLoader.Rows}), encodes them ({@link BatchEncoder}) and puts them into a
 * queue on its own CPU, from which the chief's graph takes them for w's towers: the data never
 * passes through the chief. The chief feeds its own rows as placeholders.
 *
 * <p>Both ends open the queue by the same shared name with the same attributes (TensorFlow 1's
 * way of sharing a queue between sessions on one server). Each element carries its step, which
 * the chief's graph checks against the global step, so a worker that fell out of step fails the
 * step with a message instead of training on the wrong rows. The step a worker starts from (the
 * step the chief resumed at) travels the same way, through a second queue.
 *
 * <p>Draws the graph makes for the whole batch (timesteps and noise) are made for the whole batch
 * on each worker, stateless and seeded by the step, and each worker keeps its rows: the same
 * values as one process, and no noise tensor crosses the network.
 */
public final class BatchShards {
  static final String ROWS_QUEUE = "depot_batch_rows";
  static final String START_QUEUE = "depot_batch_start";
  /** Batches a worker may encode ahead of the step that takes them. */
  static final long AHEAD = 2;

  /** One task's part of the batch: its rows and the towers that split them, in tower order. */
  public record Shard(String job, int task, BatchLoader.Rows rows, int towers) {
    /** The task's first CPU, where its queues live (queue ops have no GPU kernels). */
    public DeviceSpec host() {
      return DeviceSpec.newBuilder().job(job).replica(0).task(task).deviceType(DeviceSpec.DeviceType.CPU)
          .deviceIndex(0).build();
    }

    String filter() {
      return "/job:" + job + "/task:" + task;
    }
  }

  private BatchShards() {}

  /**
   * The shards of a layout whose towers span several tasks of a cluster, in tower order; empty for
   * a layout on one machine (which splits one fed batch, as before).
   *
   * @throws ConfigException when a task's towers are not listed together in train.devices, or the
   *     chief (task 0) has none
   */
  public static Optional<List<Shard>> plan(TrainingLayout layout, int batchSize) {
    List<String> towers = layout.towerDevices();
    if (towers.isEmpty() || towers.stream().map(d -> taskOf(DeviceNames.parse(d))).distinct().count() < 2) {
      return Optional.empty();
    }
    int perTower = batchSize / towers.size();
    List<Shard> shards = new ArrayList<>();
    for (int i = 0; i < towers.size(); i++) {
      DeviceSpec device = DeviceNames.parse(towers.get(i));
      int task = taskOf(device);
      Shard last = shards.isEmpty() ? null : shards.get(shards.size() - 1);
      if (last != null && last.task() == task) {
        shards.set(shards.size() - 1, new Shard(last.job(), task,
            new BatchLoader.Rows(last.rows().first(), last.rows().count() + perTower), last.towers() + 1));
        continue;
      }
      if (shards.stream().anyMatch(s -> s.task() == task)) {
        throw new ConfigException("train.devices: list the devices of each worker together (task " + task
            + " appears apart from its other devices in " + layout.devices() + "), so that each worker reads one "
            + "run of rows of the batch");
      }
      shards.add(new Shard(device.job() == null ? "worker" : device.job(), task,
          new BatchLoader.Rows(i * perTower, perTower), 1));
    }
    if (shards.stream().noneMatch(s -> s.task() == 0)) {
      throw new ConfigException("train.devices: the chief (task 0) needs at least one device of its own, got "
          + layout.devices());
    }
    return Optional.of(List.copyOf(shards));
  }

  /** The shard of {@code task}. */
  public static Shard of(List<Shard> shards, int task) {
    return shards.stream().filter(s -> s.task() == task).findFirst().orElseThrow(
        () -> new IllegalArgumentException("the layout has no towers on task " + task));
  }

  private static int taskOf(DeviceSpec device) {
    return device.task() == null ? 0 : device.task();
  }

  /**
   * Each tower's slice of the batch: the chief's rows from {@code chiefRows} (its placeholders),
   * every other worker's from the queue on its CPU, then the worker's rows of {@code draws} (made
   * for the whole batch on the worker's CPU).
   *
   * @param inputs the encoder's inputs, in the order of {@code chiefRows} and of the queues' elements
   * @param step the global step, which every element must carry
   * @param draws whole-batch tensors the graph draws itself, made with the ops it is given
   * @return per tower: its slice of each input, then of each draw
   */
  public static List<List<Operand<?>>> towerSlices(Ops tf, List<Shard> shards, List<SignatureInput> inputs,
      List<Operand<?>> chiefRows, Operand<TInt64> step, Function<Ops, List<Operand<?>>> draws) {
    List<List<Operand<?>>> towers = new ArrayList<>();
    for (Shard shard : shards) {
      Ops host = tf.withDevice(shard.host());
      List<Operand<?>> rows = new ArrayList<>(shard.task() == 0 ? chiefRows : dequeue(host, shard, inputs, step));
      for (Operand<?> whole : draws.apply(host)) {
        rows.add(rowsOf(host, whole, shard.rows()));
      }
      towers.addAll(Towers.split(host, rows, shard.towers()));
    }
    return towers;
  }

  /** A worker's element for this step: its rows of each input, after checking the step it carries. */
  private static List<Operand<?>> dequeue(Ops host, Shard shard, List<SignatureInput> inputs, Operand<TInt64> step) {
    QueueDequeue element = host.io.queueDequeue(rowsQueue(host, shard, inputs), componentTypes(inputs));
    Operand<TInt64> carried = element.components().get(0).expect(TInt64.class);
    Op inStep = host.assertThat(host.math.equal(carried, step), List.of(
        host.constant("worker " + shard.task() + " fed rows of step"), carried, host.constant("for global step"),
        step));
    Ops checked = host.withControlDependencies(List.of(inStep));
    List<Operand<?>> out = new ArrayList<>();
    List<Shape> shapes = shapes(shard, inputs);
    for (int i = 1; i < element.components().size(); i++) {
      // a dequeue's outputs have no static shape; the network's layers need it (e.g. upsampling)
      out.add(checked.ensureShape((Operand) element.components().get(i), shapes.get(i)));
    }
    return out;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Operand<?> rowsOf(Ops host, Operand whole, BatchLoader.Rows rows) {
    int rank = whole.shape().numDimensions();
    int[] begin = new int[rank];
    int[] size = new int[rank];
    java.util.Arrays.fill(size, -1);
    begin[0] = rows.first();
    size[0] = rows.count();
    return host.slice(whole, host.constant(begin), host.constant(size));
  }

  /** The queue of a worker's rows: the same op with the same attributes at both ends. */
  static FifoQueue rowsQueue(Ops host, Shard shard, List<SignatureInput> inputs) {
    return host.io.fifoQueue(componentTypes(inputs), FifoQueue.shapes(shapes(shard, inputs)),
        FifoQueue.capacity(AHEAD), FifoQueue.sharedName(ROWS_QUEUE));
  }

  /** The shapes of a queue element: the step, then the shard's rows of each input. */
  private static List<Shape> shapes(Shard shard, List<SignatureInput> inputs) {
    List<Shape> shapes = new ArrayList<>(List.of(Shape.scalar()));
    for (SignatureInput input : inputs) {
      long[] shape = new long[input.shape().length + 1];
      shape[0] = shard.rows().count();
      System.arraycopy(input.shape(), 0, shape, 1, input.shape().length);
      shapes.add(Shape.of(shape));
    }
    return shapes;
  }

  /**
   * The queue that takes the step a worker's rows start from, with the number of training images
   * the chief has (a worker whose data differs would train on other images than one process).
   */
  static FifoQueue startQueue(Ops host) {
    return host.io.fifoQueue(List.of(TInt64.class, TInt64.class),
        FifoQueue.shapes(List.of(Shape.scalar(), Shape.scalar())), FifoQueue.capacity(1L),
        FifoQueue.sharedName(START_QUEUE));
  }

  /** What the chief tells a worker at start: the step its rows start from, and the chief's count of training images. */
  public record Start(long step, long trainingImages) {}

  private static List<Class<? extends TType>> componentTypes(List<SignatureInput> inputs) {
    List<Class<? extends TType>> types = new ArrayList<>(List.of(TInt64.class));
    for (SignatureInput input : inputs) {
      types.add(input.integer() ? TInt32.class : TFloat32.class);
    }
    return types;
  }

  /**
   * The chief tells every other worker the step its rows start from: the step the run resumed at.
   *
   * @throws ClusterException naming a worker that does not take it within {@code timeout}
   */
  static void announceStart(ClusterServer chief, List<Shard> shards, Start start, Duration timeout) {
    for (Shard shard : shards) {
      if (shard.task() == chief.spec().task()) {
        continue;
      }
      try (Graph g = new Graph()) {
        Ops host = Ops.create(g).withDevice(shard.host());
        var enqueue = host.io.queueEnqueue(startQueue(host), List.of(host.constant(start.step()),
            host.constant(start.trainingImages())));
        ConfigProto config = ConfigProto.newBuilder().setOperationTimeoutInMs(timeout.toMillis())
            .addDeviceFilters("/job:" + shard.job() + "/task:" + chief.spec().task()).addDeviceFilters(shard.filter())
            .build();
        try (Session s = RemoteSession.open(g, chief.target(), config, timeout)) {
          s.runner().addTarget(enqueue).setOptions(RunOptions.newBuilder().setTimeoutInMs(timeout.toMillis()).build())
              .run().close();
        }
      } catch (RuntimeException e) {
        throw new ClusterException("worker " + shard.task() + " did not take the step its rows start from ("
            + ClusterServer.firstLine(e.getMessage()) + ")", e);
      }
    }
  }

  /**
   * A worker's end of its queues, in its own process: a session on its own server that waits for
   * the start step and puts encoded rows in, blocking while {@link #AHEAD} batches wait.
   */
  public static final class Writer implements AutoCloseable {
    private final Graph graph = new Graph();
    private final Session session;
    private final QueueDequeue start;
    private final Placeholder<TInt64> step;
    private final List<Placeholder<?>> rows = new ArrayList<>();
    private final Op enqueue;

    /**
     * @param target the worker's own server ({@code grpc://...})
     */
    public Writer(String target, Shard shard, List<SignatureInput> inputs) {
      Ops host = Ops.create(graph).withDevice(shard.host());
      start = host.io.queueDequeue(startQueue(host), List.of(TInt64.class, TInt64.class));
      step = host.placeholder(TInt64.class, Placeholder.shape(Shape.scalar()));
      List<Operand<?>> components = new ArrayList<>(List.of(step));
      for (SignatureInput input : inputs) {
        Placeholder<?> p = input.integer() ? host.placeholder(TInt32.class) : host.placeholder(TFloat32.class);
        rows.add(p);
        components.add(p);
      }
      enqueue = host.io.queueEnqueue(rowsQueue(host, shard, inputs), components);
      // only this task's devices: creating the session must not wait for the others
      ConfigProto config = ConfigProto.newBuilder().addDeviceFilters(shard.filter()).build();
      try {
        session = RemoteSession.open(graph, target, config, Duration.ofSeconds(30));
      } catch (RuntimeException e) {
        graph.close();
        throw e;
      }
    }

    /** Blocks until the chief says the step the rows start from. */
    public Start awaitStart() {
      try (Result r = session.runner().fetch(start.components().get(0)).fetch(start.components().get(1)).run()) {
        return new Start(((TInt64) r.get(0)).getLong(), ((TInt64) r.get(1)).getLong());
      }
    }

    /** Puts the rows of {@code step} (tensors in the encoder's order); blocks while the queue is full. */
    public void put(long step, List<Tensor> tensors) {
      if (tensors.size() != rows.size()) {
        throw new IllegalArgumentException(rows.size() + " inputs expected, got " + tensors.size());
      }
      try (TInt64 s = TInt64.scalarOf(step)) {
        Session.Runner runner = session.runner().feed(this.step, s);
        for (int i = 0; i < rows.size(); i++) {
          runner.feed(rows.get(i), tensors.get(i));
        }
        runner.addTarget(enqueue).run().close();
      }
    }

    @Override
    public void close() {
      session.close();
      graph.close();
    }
  }
}
