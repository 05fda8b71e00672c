package org.diffusiondepot.cluster;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.tensorflow.DeviceSpec;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.op.Ops;
import org.tensorflow.op.io.FifoQueue;
import org.tensorflow.op.io.QueueDequeue;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.types.TString;

/**
 * The two ends of a worker's life in in-graph replication: a worker other than the chief only
 * hosts its devices ({@link #serve}) while the chief's graph runs towers on them, and stops when
 * the chief says the run is over ({@link #tell}) or when the chief is gone.
 *
 * <p>The chief's word travels the TensorFlow way, through a queue on the worker's device that both
 * sides open by the same shared name (the "done queue" of TensorFlow 1's parameter servers): the
 * worker's own session blocks in a dequeue, the chief enqueues one line. A worker cannot learn
 * this any other way: its server cannot be stopped (see {@link ClusterServer}), and the chief's
 * port closing looks the same whether the chief finished or crashed.
 */
public final class ClusterWorker {
  private static final String MAILBOX = "depot_chief_word";
  private static final String FINISHED = "finished\t";
  private static final String STOPPED = "stopped\t";
  private static final Duration POLL = Duration.ofMillis(500);
  /** How long the chief must refuse connections before a worker calls it gone. */
  private static final Duration GONE_AFTER = Duration.ofSeconds(2);

  private ClusterWorker() {}

  /**
   * Starts this task's server and serves until the chief says the run is over.
   *
   * @param serverConfig the server's default session config (threads, virtual devices)
   * @param chiefWait how long to wait for the chief to come up
   * @return the chief's closing line when it finished the run
   * @throws ClusterException when the chief does not come up in time, is gone (its process ended
   *     without a word: killed, crashed, or its machine lost), or stopped with an error, which the
   *     message quotes
   */
  public static String serve(ClusterSpec spec, ConfigProto serverConfig, Duration chiefWait, PrintStream out) {
    return serve(spec, serverConfig, chiefWait, out, server -> {});
  }

  /**
   * As above, handing the started server to {@code alongside} first (e.g. to feed this worker's
   * data to its devices while it serves).
   */
  public static String serve(ClusterSpec spec, ConfigProto serverConfig, Duration chiefWait, PrintStream out,
      java.util.function.Consumer<ClusterServer> alongside) {
    if (spec.isChief()) {
      throw new IllegalArgumentException("worker 0 is the chief; it trains instead of serving");
    }
    ClusterServer server = ClusterServer.start(spec, serverConfig);
    String chief = "the chief (worker 0 at " + spec.address(ClusterSpec.WORKER, 0) + ")";
    out.printf("worker %d serving on %s, waiting for %s%n", spec.task(), spec.ownAddress(), chief);
    out.flush();
    CompletableFuture<String> word = listen(server, spec.task());
    alongside.accept(server);
    ClusterProbe.awaitAddress(chief, spec.address(ClusterSpec.WORKER, 0), chiefWait);
    while (true) {
      String line = poll(word, POLL);
      if (line == null) {
        try {
          ClusterProbe.awaitAddress(chief, spec.address(ClusterSpec.WORKER, 0), GONE_AFTER);
          continue;
        } catch (ClusterException gone) {
          // the chief may have said its word just before it exited
          line = poll(word, POLL);
          if (line == null) {
            throw new ClusterException(chief + " is gone: its process ended without a word (killed, crashed, or "
                + "its machine is unreachable); worker " + spec.task() + " stops. Start every task again to resume "
                + "from the chief's latest checkpoint");
          }
        }
      }
      if (line.startsWith(FINISHED)) {
        return line.substring(FINISHED.length());
      }
      throw new ClusterException("the chief stopped: " + line.substring(STOPPED.length()));
    }
  }

  /**
   * Tells every other worker that still accepts connections how the run ended, each within
   * {@code timeout}; a worker that does not take the word in time is passed over (it will see
   * the chief gone).
   *
   * @param finished true when the run ended normally, false when the chief stops on an error
   * @param line what the workers print (one line)
   * @return the tasks that were told
   */
  public static List<Integer> tell(ClusterServer chief, boolean finished, String line, Duration timeout) {
    ClusterSpec spec = chief.spec();
    String text = (finished ? FINISHED : STOPPED) + line.replace('\n', ' ');
    List<Integer> told = new java.util.ArrayList<>();
    for (int task = 0; task < spec.workerCount(); task++) {
      if (task == spec.task()) {
        continue;
      }
      try {
        ClusterProbe.awaitAddress("worker " + task, spec.address(ClusterSpec.WORKER, task), Duration.ZERO);
      } catch (ClusterException gone) {
        continue;
      }
      try (Graph g = new Graph()) {
        Ops tf = onTask(Ops.create(g), task);
        FifoQueue queue = mailbox(tf);
        var enqueue = tf.io.queueEnqueue(queue, List.of(tf.constant(text)));
        ConfigProto config = ConfigProto.newBuilder().setOperationTimeoutInMs(timeout.toMillis())
            .addDeviceFilters(taskFilter(spec.task())).addDeviceFilters(taskFilter(task)).build();
        try (Session s = RemoteSession.open(g, chief.target(), config, timeout)) {
          s.runner().addTarget(enqueue)
              .setOptions(RunOptions.newBuilder().setTimeoutInMs(timeout.toMillis()).build()).run().close();
          told.add(task);
        }
      } catch (TensorFlowException | ClusterException e) {
        // best effort: a worker that cannot be told sees the chief gone and stops on its own
      }
    }
    return told;
  }

  /** Starts this worker's end of the mailbox: a session on its own server blocked in a dequeue. */
  private static CompletableFuture<String> listen(ClusterServer server, int task) {
    CompletableFuture<String> word = new CompletableFuture<>();
    Graph g = new Graph();
    Ops tf = onTask(Ops.create(g), task);
    QueueDequeue dequeue = tf.io.queueDequeue(mailbox(tf), List.of(TString.class));
    // Only this task's devices, so that creating the session does not wait for the others; no
    // operation timeout, because the dequeue waits as long as the run lasts.
    ConfigProto config = ConfigProto.newBuilder().addDeviceFilters(taskFilter(task)).build();
    Session session = RemoteSession.open(g, server.target(), config, Duration.ofSeconds(30));
    Thread listener = new Thread(() -> {
      try (Result r = session.runner().fetch(dequeue.components().get(0)).run()) {
        word.complete(((TString) r.get(0)).getObject());
      } catch (RuntimeException e) {
        word.completeExceptionally(e);
      }
    }, "chief-word");
    listener.setDaemon(true);
    listener.start();
    return word;
  }

  /** The chief's line, or null if none came within {@code wait}. */
  private static String poll(CompletableFuture<String> word, Duration wait) {
    try {
      return word.get(wait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ClusterException("interrupted while serving", e);
    } catch (ExecutionException e) {
      throw new ClusterException("this worker's own session failed while waiting for the chief: "
          + ClusterServer.firstLine(e.getCause().getMessage()), e.getCause());
    }
  }

  /** The queue both ends open: same op, same attributes, same shared name, on the worker's device. */
  private static FifoQueue mailbox(Ops tf) {
    return tf.io.fifoQueue(List.of(TString.class), FifoQueue.sharedName(MAILBOX), FifoQueue.capacity(16L));
  }

  private static Ops onTask(Ops tf, int task) {
    return tf.withDevice(DeviceSpec.newBuilder().job(ClusterSpec.WORKER).replica(0).task(task)
        .deviceType(DeviceSpec.DeviceType.CPU).deviceIndex(0).build());
  }

  private static String taskFilter(int task) {
    return "/job:" + ClusterSpec.WORKER + "/task:" + task;
  }
}
