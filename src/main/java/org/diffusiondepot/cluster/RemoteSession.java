package org.diffusiondepot.cluster;

import static org.tensorflow.internal.c_api.global.tensorflow.TF_SetConfig;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_SetTarget;

import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.time.Duration;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerScope;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.internal.c_api.TF_Graph;
import org.tensorflow.internal.c_api.TF_Session;
import org.tensorflow.internal.c_api.TF_SessionOptions;
import org.tensorflow.internal.c_api.TF_Status;
import org.tensorflow.proto.ConfigProto;

/**
 * A {@link Session} whose graph runs on a TensorFlow server ({@code grpc://host:port}) instead of
 * in this process.
 *
 * <p>TensorFlow Java 1.1.0 has no public way to do this: every public Session constructor leaves
 * the C API's target empty (its private {@code allocate} even takes a target and drops it). So we
 * repeat what {@code allocate} does with one more call, {@code TF_SetTarget}, and wrap the native
 * session with Session's package-private {@code Session(Graph, TF_Session)} constructor. Both the
 * graph's native handle and that constructor are reached by reflection, which works because the
 * TensorFlow jars sit on the class path (their module-info is ignored there). This is the only
 * class that does so; if a later TensorFlow Java adds a target parameter, only this file changes.
 *
 * <p>Opening only checks that the target accepts connections: TensorFlow creates the remote
 * session lazily, on the first run, when the master contacts every worker. Use {@link
 * ClusterProbe#awaitAll} first to fail fast when another task is missing (TensorFlow waits for it
 * forever), set {@code ConfigProto.operation_timeout_in_ms} (see {@link ClusterConfigs}) so that
 * a master that stops answering fails the run, and run steps under a {@link StepWatchdog}.
 */
public final class RemoteSession {
  private RemoteSession() {}

  /**
   * @param target the master to run on, e.g. {@code grpc://localhost:2222} (see {@link
   *     ClusterServer#target()})
   * @param config session options; its thread settings are ignored for remote devices (the
   *     servers' own {@code default_session_config} decides those)
   * @param connectDeadline how long to wait for the target to accept connections (it may still be
   *     starting)
   * @return a session that must be closed like any other; it does not run initializers itself
   * @throws ClusterException if the target does not accept connections within the deadline
   */
  public static Session open(Graph graph, String target, ConfigProto config, Duration connectDeadline) {
    if (!target.startsWith("grpc://")) {
      throw new IllegalArgumentException("a remote target is grpc://host:port, not " + target);
    }
    // TensorFlow would retry an unreachable master for minutes (or, without
    // operation_timeout_in_ms, forever) and then say only "Deadline Exceeded"; a TCP connect
    // answers in milliseconds and lets the error name the target.
    ClusterProbe.awaitAddress(target, target.substring("grpc://".length()), connectDeadline);
    return openUnprobed(graph, target, config);
  }

  /** {@link #open} without the connection check: what TensorFlow alone does, for tests. */
  static Session openUnprobed(Graph graph, String target, ConfigProto config) {
    TF_Graph graphHandle = graphHandle(graph);
    TF_Session session;
    try (PointerScope scope = new PointerScope()) {
      TF_Status status = TF_Status.newStatus();
      TF_SessionOptions opts = TF_SessionOptions.newSessionOptions();
      BytePointer configBytes = new BytePointer(config.toByteArray());
      TF_SetConfig(opts, configBytes, configBytes.capacity(), status);
      status.throwExceptionIfNotOK();
      TF_SetTarget(opts, target);
      session = TF_Session.newSession(graphHandle, opts, status);
      status.throwExceptionIfNotOK();
      // Keep the native session (and, through it, the options) alive past this scope: Session
      // releases this reference when it is closed, as for sessions it allocates itself.
      session.retainReference();
    }
    return wrap(graph, session);
  }

  static TF_Graph graphHandle(Graph graph) {
    try {
      Field f = Graph.class.getDeclaredField("nativeHandle");
      f.setAccessible(true);
      TF_Graph handle = (TF_Graph) f.get(graph);
      if (handle == null || handle.isNull()) {
        throw new IllegalStateException("the graph has been closed");
      }
      return handle;
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("this TensorFlow Java has no Graph.nativeHandle: " + e, e);
    }
  }

  private static Session wrap(Graph graph, TF_Session session) {
    try {
      Constructor<Session> c = Session.class.getDeclaredConstructor(Graph.class, TF_Session.class);
      c.setAccessible(true);
      return c.newInstance(graph, session);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("this TensorFlow Java has no Session(Graph, TF_Session): " + e, e);
    }
  }
}
