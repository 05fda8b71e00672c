package org.diffusiondepot.cluster;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Waits until every task of a cluster accepts connections, or fails with one line naming the ones
 * that do not.
 *
 * <p>This check exists because TensorFlow itself never gives up on a missing task: a session's
 * first run makes the master find every worker's devices, and if one worker is not listening the
 * master logs "CreateSession still waiting for response from worker: /job:worker/replica:0/task:1"
 * every 10 s forever, even with {@code operation_timeout_in_ms} set (measured: still waiting after
 * 150 s with a 3 s timeout). A plain TCP connect to each address answers the same question within
 * a deadline. Workers start at different times, so refused connections are retried until then.
 */
public final class ClusterProbe {
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);
  private static final Duration RETRY_PAUSE = Duration.ofMillis(200);

  private ClusterProbe() {}

  /**
   * @param deadline how long to wait for tasks that are still starting
   * @throws ClusterException naming every task that did not accept a connection in time
   */
  public static void awaitAll(ClusterSpec spec, Duration deadline) {
    long end = System.nanoTime() + deadline.toNanos();
    Map<String, String> pending = new LinkedHashMap<>(spec.allTasks());
    Map<String, String> lastError = new LinkedHashMap<>();
    while (true) {
      pending.entrySet().removeIf(task -> {
        String error = connect(task.getValue());
        lastError.put(task.getKey(), error);
        return error == null;
      });
      if (pending.isEmpty()) {
        return;
      }
      if (System.nanoTime() >= end) {
        StringBuilder names = new StringBuilder();
        for (Map.Entry<String, String> task : pending.entrySet()) {
          names.append(names.length() == 0 ? "" : ", ").append(task.getKey()).append(" at ")
              .append(task.getValue()).append(" (").append(lastError.get(task.getKey())).append(')');
        }
        throw new ClusterException("no answer within " + deadline.toSeconds() + " s from " + names);
      }
      pause();
    }
  }

  /**
   * Waits until one address accepts connections.
   *
   * @param label how the error names it, e.g. {@code grpc://localhost:2222}
   * @throws ClusterException if it does not within {@code deadline}
   */
  public static void awaitAddress(String label, String address, Duration deadline) {
    long end = System.nanoTime() + deadline.toNanos();
    while (true) {
      String error = connect(address);
      if (error == null) {
        return;
      }
      if (System.nanoTime() >= end) {
        throw new ClusterException(label + " does not answer within " + deadline.toSeconds() + " s (" + error + ")");
      }
      pause();
    }
  }

  private static void pause() {
    try {
      Thread.sleep(RETRY_PAUSE.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ClusterException("interrupted while waiting for the cluster", e);
    }
  }

  /** Null if {@code address} accepts a TCP connection, else why not. */
  private static String connect(String address) {
    int colon = address.lastIndexOf(':');
    InetSocketAddress socketAddress =
        new InetSocketAddress(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)));
    if (socketAddress.isUnresolved()) {
      return "unknown host";
    }
    try (Socket socket = new Socket()) {
      socket.connect(socketAddress, (int) CONNECT_TIMEOUT.toMillis());
      return null;
    } catch (IOException e) {
      return e.getMessage();
    }
  }
}
