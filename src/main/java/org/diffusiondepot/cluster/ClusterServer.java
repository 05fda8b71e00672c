package org.diffusiondepot.cluster;

import org.tensorflow.Server;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.proto.ConfigProto;

/**
 * This process's TensorFlow gRPC server: it hosts this task's devices for the whole cluster and is
 * the master that this process's own {@link RemoteSession}s talk to.
 *
 * <p>There is deliberately no close: TensorFlow 2.18's {@code Server.stop()} throws "Clean
 * shutdown is not currently implemented", so a server lives until its process exits. Each worker
 * is therefore its own process, and tests that need servers start them on fresh ports.
 */
public final class ClusterServer {
  private final ClusterSpec spec;
  private final Server server;

  private ClusterServer(ClusterSpec spec, Server server) {
    this.spec = spec;
    this.server = server;
  }

  /**
   * Starts the server of {@code spec}'s task.
   *
   * @param deviceConfig the server's default session config, which sizes the thread pools of the
   *     devices it hosts (e.g. {@link ClusterConfigs#worker})
   * @throws ClusterException if the server cannot start, e.g. its port is taken
   */
  public static ClusterServer start(ClusterSpec spec, ConfigProto deviceConfig) {
    Server server;
    try {
      server = new Server(spec.serverDef(deviceConfig));
      server.start();
    } catch (TensorFlowException e) {
      throw new ClusterException("cannot start the server of " + spec.job() + " " + spec.task() + " on "
          + spec.ownAddress() + ": " + firstLine(e.getMessage()), e);
    }
    return new ClusterServer(spec, server);
  }

  /** The address for sessions in this process, {@code grpc://localhost:port} as TensorFlow reports it. */
  public String target() {
    String address = spec.ownAddress();
    return "grpc://localhost:" + address.substring(address.lastIndexOf(':') + 1);
  }

  public ClusterSpec spec() {
    return spec;
  }

  /** Blocks while the server runs, i.e. until the process ends: what a worker that only serves does. */
  public void join() {
    server.join();
  }

  public static String firstLine(String message) {
    if (message == null) {
      return "(no message)";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
