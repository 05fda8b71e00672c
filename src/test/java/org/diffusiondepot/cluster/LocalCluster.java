package org.diffusiondepot.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;

/** Free localhost ports and TF_CONFIG texts for tests that start real servers. */
final class LocalCluster {
  private LocalCluster() {}

  /** A port nobody listens on right now (the OS picks it; a race with other processes is possible). */
  static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** TF_CONFIG for task {@code task} of a worker job on the given localhost ports. */
  static String tfConfig(int task, int... ports) {
    StringBuilder workers = new StringBuilder();
    for (int p : ports) {
      workers.append(workers.length() == 0 ? "" : ", ").append("\"localhost:").append(p).append('"');
    }
    return "{\"cluster\": {\"worker\": [" + workers + "]}, \"task\": {\"type\": \"worker\", \"index\": " + task + "}}";
  }

  /** Two workers' servers in this JVM (the chief first), both up; they live as long as the JVM. */
  static java.util.List<ClusterServer> startTwo(org.tensorflow.proto.ConfigProto config) {
    int p0 = freePort();
    int p1 = freePort();
    ClusterServer chief = ClusterServer.start(ClusterSpec.fromTfConfig(tfConfig(0, p0, p1)), config);
    ClusterServer worker = ClusterServer.start(ClusterSpec.fromTfConfig(tfConfig(1, p0, p1)), config);
    ClusterProbe.awaitAll(chief.spec(), java.time.Duration.ofSeconds(10));
    return java.util.List.of(chief, worker);
  }
}
