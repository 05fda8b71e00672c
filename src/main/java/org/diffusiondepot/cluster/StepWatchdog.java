package org.diffusiondepot.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.tensorflow.exceptions.TensorFlowException;

/**
 * Bounds every training step of a multi-worker run and names the worker that stopped answering.
 *
 * <p>When a worker dies mid-step, TensorFlow either fails the survivors' run with a transport
 * error that names no task, or (collectives without a timeout) waits forever. A native
 * {@code Session.run} cannot be interrupted from Java, so the only bounded way out of a hung step
 * is to end the process: when a step outlives its limit, the watchdog checks which tasks no
 * longer accept connections and hands one line naming them to {@code onTimeout}, by default
 * printing it and halting the JVM (exit code 4). A step that fails instead is rethrown as a
 * {@link ClusterException} naming the unreachable tasks, if any.
 */
public final class StepWatchdog implements AutoCloseable {
  /** Exit code of a process stopped by the watchdog: the cluster's, {@link ClusterException#EXIT_CODE}. */
  public static final int EXIT_CODE = ClusterException.EXIT_CODE;

  private final ClusterSpec spec;
  private final Duration limit;
  private final Consumer<String> onTimeout;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "step-watchdog");
    t.setDaemon(true);
    return t;
  });

  /**
   * @param limit the longest a step may take, well above a normal step (a slow first step
   *     included)
   * @param onTimeout receives the one-line diagnosis when a step outlives {@code limit}; it runs
   *     on the watchdog's thread while the step is still blocked, so it should end the process
   */
  public StepWatchdog(ClusterSpec spec, Duration limit, Consumer<String> onTimeout) {
    this.spec = spec;
    this.limit = limit;
    this.onTimeout = onTimeout;
  }

  /** A watchdog that prints the diagnosis to stderr and halts the JVM. */
  public static StepWatchdog halting(ClusterSpec spec, Duration limit) {
    return new StepWatchdog(spec, limit, line -> {
      System.err.println("error: " + line);
      System.err.flush();
      Runtime.getRuntime().halt(EXIT_CODE);
    });
  }

  /** Runs one step under the limit; {@code label} (e.g. "step 1200") goes into the messages. */
  public <T> T run(String label, Supplier<T> step) {
    ScheduledFuture<?> alarm = timer.schedule(
        () -> onTimeout.accept(label + " did not finish within " + limit.toSeconds() + " s: " + diagnose()),
        limit.toMillis(), TimeUnit.MILLISECONDS);
    try {
      return step.get();
    } catch (TensorFlowException e) {
      throw new ClusterException(label + " failed (" + ClusterServer.firstLine(e.getMessage()) + "): " + diagnose(), e);
    } finally {
      alarm.cancel(false);
    }
  }

  /** Which tasks other than this one refuse connections now, as one phrase. */
  String diagnose() {
    List<String> gone = new ArrayList<>();
    for (Map.Entry<String, String> task : spec.allTasks().entrySet()) {
      if (task.getKey().equals(spec.job() + " " + spec.task())) {
        continue;
      }
      try {
        ClusterProbe.awaitAddress(task.getKey(), task.getValue(), Duration.ZERO);
      } catch (ClusterException e) {
        gone.add(task.getKey() + " at " + task.getValue());
      }
    }
    return gone.isEmpty() ? "every other task still accepts connections (a slow step, or a hung peer)"
        : String.join(", ", gone) + (gone.size() == 1 ? " is" : " are") + " gone";
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
