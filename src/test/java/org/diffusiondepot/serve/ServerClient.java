package org.diffusiondepot.serve;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.openqa.selenium.json.Json;

/** The tests' side of the HTTP API: java.net.http against a running {@link DepotServer}. */
final class ServerClient {
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  final URI root;

  ServerClient(URI root) {
    this.root = root;
  }

  HttpResponse<byte[]> get(String path) {
    return send(HttpRequest.newBuilder(root.resolve(path)).GET());
  }

  HttpResponse<byte[]> post(String path, Map<String, String> form) {
    String body = form.entrySet().stream()
        .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
            + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
    return send(HttpRequest.newBuilder(root.resolve(path))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  HttpResponse<byte[]> send(HttpRequest.Builder request) {
    try {
      return http.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A JSON object answer. */
  static Map<String, Object> json(HttpResponse<byte[]> response) {
    return new Json().toType(new String(response.body(), StandardCharsets.UTF_8), Json.MAP_TYPE);
  }

  /** A JSON array answer. */
  static List<Map<String, Object>> jsonList(HttpResponse<byte[]> response) {
    List<Map<String, Object>> list = new Json().toType(new String(response.body(), StandardCharsets.UTF_8),
        Json.LIST_OF_MAPS_TYPE);
    return list;
  }

  static String text(HttpResponse<byte[]> response) {
    return new String(response.body(), StandardCharsets.UTF_8);
  }

  /** Submits a request, expecting it to be accepted; returns the job's JSON. */
  Map<String, Object> submit(String model, Map<String, String> form) {
    HttpResponse<byte[]> response = post("/api/models/" + model + "/jobs", form);
    if (response.statusCode() != 202) {
      throw new AssertionError("expected 202, got " + response.statusCode() + ": " + text(response));
    }
    return json(response);
  }

  /** The job's event stream, read until it ends (the job finished): every snapshot sent. */
  List<Map<String, Object>> events(String jobId) {
    try {
      HttpResponse<Stream<String>> response = http.send(HttpRequest.newBuilder(
          root.resolve("/api/jobs/" + jobId + "/events")).timeout(Duration.ofSeconds(120)).build(),
          HttpResponse.BodyHandlers.ofLines());
      List<Map<String, Object>> snapshots = new ArrayList<>();
      try (Stream<String> lines = response.body()) {
        for (Iterator<String> it = lines.iterator(); it.hasNext(); ) {
          String line = it.next();
          if (line.startsWith("data: ")) {
            snapshots.add(new Json().toType(line.substring(6), Json.MAP_TYPE));
          }
        }
      }
      return snapshots;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Follows the job to its end and returns its last state. */
  Map<String, Object> finish(String jobId) {
    List<Map<String, Object>> all = events(jobId);
    return all.get(all.size() - 1);
  }

  /** Polls the job until {@code done(snapshot)} holds (at most 60 s). */
  Map<String, Object> awaitJob(String jobId, java.util.function.Predicate<Map<String, Object>> done) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      Map<String, Object> job = json(get("/api/jobs/" + jobId));
      if (done.test(job)) {
        return job;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    throw new AssertionError("job " + jobId + " did not reach the expected state: " + text(get("/api/jobs/" + jobId)));
  }

  /** A file as the page sends it: a data URL. */
  static String dataUrl(String type, byte[] bytes) {
    return "data:" + type + ";base64," + Base64.getEncoder().encodeToString(bytes);
  }
}
