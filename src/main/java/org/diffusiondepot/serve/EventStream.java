package org.diffusiondepot.serve;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A job's changes as server-sent events: one {@code data:} line with the job's JSON (as
 * {@code GET /api/jobs/ID} answers) for each change, at most ten a second, ending after the
 * finished state. A comment every 15 s keeps proxies from closing a stream that waits in a queue,
 * and notices a page that went away. A stream holds a request thread for as long as its job
 * lasts, so at most {@link #MAX_STREAMS} are open at once; beyond that the answer is 503 and the
 * page polls {@code GET /api/jobs/ID} instead.
 */
final class EventStream {
  static final long KEEP_ALIVE_MILLIS = 15_000;
  /** Fast models change state thousands of times a second; a page needs only a few frames. */
  static final long MIN_INTERVAL_MILLIS = 100;
  /** Open streams at most: fewer than the server's request threads, which short requests need too. */
  static final int MAX_STREAMS = DepotServer.MAX_HANDLER_THREADS / 2;
  private final java.util.concurrent.Semaphore open = new java.util.concurrent.Semaphore(MAX_STREAMS);

  void serve(HttpExchange exchange, Job job) throws IOException {
    if (!open.tryAcquire()) {
      throw new HttpError(503, "too many pages are following jobs; ask GET /api/jobs/" + job.id() + " instead");
    }
    try {
      stream(exchange, job);
    } catch (IOException pageWentAway) {
      // nothing to tell anyone: the job goes on and can be followed again
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      // the place is free before the page sees the end, so that it can follow again at once
      open.release();
      exchange.close();
    }
  }

  /** Writes events until the job has finished; the caller closes the exchange. */
  private static void stream(HttpExchange exchange, Job job) throws IOException, InterruptedException {
    exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
    exchange.getResponseHeaders().set("Cache-Control", "no-store");
    exchange.sendResponseHeaders(200, 0);
    long seen = -1;
    OutputStream out = exchange.getResponseBody();
    while (true) {
      long version;
      Map<String, Object> snapshot;
      synchronized (job) {
        version = job.awaitChange(seen, KEEP_ALIVE_MILLIS);
        snapshot = version == seen ? null : job.toJson();
      }
      if (snapshot == null) {
        write(out, ": keep-alive\n\n");
        continue;
      }
      seen = version;
      write(out, "data: " + Json.write(snapshot) + "\n\n");
      if (Job.State.valueOf(((String) snapshot.get("state")).toUpperCase(java.util.Locale.ROOT)).finished()) {
        return;
      }
      Thread.sleep(MIN_INTERVAL_MILLIS);
    }
  }

  private static void write(OutputStream out, String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }
}
