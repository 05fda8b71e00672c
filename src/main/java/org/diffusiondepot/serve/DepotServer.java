package org.diffusiondepot.serve;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The browser UI's server: the JDK's HTTP server, one page per loaded export, and a queue per
 * model. Requests are answered on a pool of threads (an event stream holds one for as long as its
 * job runs); sampling happens on each model's own thread.
 * <pre>
 *   try (DepotServer server = DepotServer.start(List.of(export), new InetSocketAddress(
 *       InetAddress.getLoopbackAddress(), 0), ServerOptions.DEFAULTS, System.err)) {
 *     URI page = server.uri().resolve("/models/" + server.modelIds().get(0));
 *   }
 * </pre>
 */
public final class DepotServer implements AutoCloseable {
  /** Threads answering requests at once; beyond them requests wait for the TCP backlog. */
  static final int MAX_HANDLER_THREADS = 64;

  private final HttpServer http;
  private final ExecutorService handlers;
  private final Models models;
  private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

  private DepotServer(HttpServer http, ExecutorService handlers, Models models) {
    this.http = http;
    this.handlers = handlers;
    this.models = models;
  }

  /**
   * Loads the exports and starts serving them at {@code address} (port 0: any free port).
   *
   * @param log where failures that are the server's fault are written, with their stack traces
   */
  public static DepotServer start(List<Path> exports, InetSocketAddress address, ServerOptions options,
      PrintWriter log) throws IOException {
    if (exports.isEmpty()) {
      throw new IllegalArgumentException("no exports to serve");
    }
    Models models = Models.load(exports, options, log);
    HttpServer http;
    try {
      http = HttpServer.create(address, 64);
    } catch (IOException e) {
      models.close();
      throw e;
    }
    AtomicInteger count = new AtomicInteger();
    ThreadPoolExecutor handlers = new ThreadPoolExecutor(0, MAX_HANDLER_THREADS, 30, TimeUnit.SECONDS,
        new SynchronousQueue<>(), r -> {
          Thread t = new Thread(r, "depot-serve-http-" + count.incrementAndGet());
          t.setDaemon(true);
          return t;
        }, new ThreadPoolExecutor.CallerRunsPolicy());
    http.setExecutor(handlers);
    http.createContext("/", new Routes(models, new Jobs(options.maxJobs()), options, log));
    http.start();
    return new DepotServer(http, handlers, models);
  }

  public int port() {
    return http.getAddress().getPort();
  }

  /** The server's root, e.g. {@code http://127.0.0.1:8080/}. */
  public URI uri() {
    InetSocketAddress address = http.getAddress();
    String host = address.getAddress().isAnyLocalAddress() ? "localhost" : address.getAddress().getHostAddress();
    return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort() + "/");
  }

  /** Page ids of the loaded models, in the order given: each has its page at {@code /models/ID}. */
  public List<String> modelIds() {
    return models.all().stream().map(ServedModel::id).toList();
  }

  /** Stops accepting requests, cancels every job, and closes the models. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    http.stop(0);
    models.close();
    handlers.shutdownNow();
  }
}
