package org.diffusiondepot.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Several users at once: one request runs per model while the others wait with their place in
 * line; a waiting request can be withdrawn at once and a running one stops between two steps; a
 * full queue refuses more.
 */
class QueueTest {
  /** Long enough to still be running while the test looks: 4 chunks of the full 1000-step chain. */
  static final Map<String, String> LONG = Map.of("num", "64", "sampler", "ddpm", "seed", "1");
  static final Map<String, String> SHORT = Map.of("num", "1", "steps", "2", "seed", "1");
  static DepotServer server;
  static ServerClient client;

  @BeforeAll
  static void start() throws Exception {
    server = DepotServer.start(List.of(TinyExports.unconditional()),
        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), ServerOptions.DEFAULTS,
        new PrintWriter(System.err, true));
    client = new ServerClient(server.uri());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static String submit(Map<String, String> form) {
    return (String) client.submit("uncond", form).get("id");
  }

  static Map<String, Object> job(String id) {
    return ServerClient.json(client.get("/api/jobs/" + id));
  }

  @Test
  void requestsWaitInLineAndCancelStopsTheChainBetweenSteps() {
    String running = submit(LONG);
    client.awaitJob(running, j -> j.get("state").equals("running") && (Long) j.get("step") > 0);
    String second = submit(SHORT);
    String third = submit(SHORT);
    assertEquals("queued", job(second).get("state"), "one sampling at a time per model");
    assertEquals(1L, job(second).get("position"));
    assertEquals(2L, job(third).get("position"));
    Map<String, Object> model = ServerClient.json(client.get("/api/models/uncond"));
    assertEquals(2L, model.get("waiting"));
    assertEquals(true, model.get("busy"));

    var withdrawn = client.post("/api/jobs/" + second + "/cancel", Map.of());
    assertEquals(200, withdrawn.statusCode());
    assertEquals("cancelled", ServerClient.json(withdrawn).get("state"), "a waiting request goes at once");
    assertEquals(1L, job(third).get("position"), "the line moves up");

    var stopping = ServerClient.json(client.post("/api/jobs/" + running + "/cancel", Map.of()));
    assertEquals(true, stopping.get("cancelRequested"));
    Map<String, Object> stopped = client.finish(running);
    assertEquals("cancelled", stopped.get("state"));
    assertTrue((Long) stopped.get("step") < (Long) stopped.get("total"), "stopped mid-chain: " + stopped);
    var noImages = client.get("/api/jobs/" + running + "/samples/0.png");
    assertEquals(404, noImages.statusCode());
    assertTrue(ServerClient.text(noImages).contains("it is cancelled"), ServerClient.text(noImages));

    assertEquals("done", client.finish(third).get("state"), "the next in line runs");
    var late = ServerClient.json(client.post("/api/jobs/" + third + "/cancel", Map.of()));
    assertEquals("done", late.get("state"), "cancelling a finished job changes nothing");
  }

  @Test
  void aFullQueueRefusesMoreAndClosingTheServerCancelsEverything() throws Exception {
    DepotServer small = DepotServer.start(List.of(TinyExports.unconditional()),
        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), new ServerOptions(16, 64, 1, 10),
        new PrintWriter(System.err, true));
    ServerClient smallClient = new ServerClient(small.uri());
    String running = (String) smallClient.submit("uncond", LONG).get("id");
    smallClient.awaitJob(running, j -> j.get("state").equals("running"));
    String waiting = (String) smallClient.submit("uncond", SHORT).get("id");
    assertEquals(1L, ServerClient.json(smallClient.get("/api/jobs/" + waiting)).get("position"));
    var refused = smallClient.post("/api/models/uncond/jobs", SHORT);
    assertEquals(503, refused.statusCode());
    assertEquals("the queue of uncond is full (1 waiting); try again in a moment",
        ServerClient.json(refused).get("error"));
    long start = System.nanoTime();
    small.close();
    assertTrue(System.nanoTime() - start < 10_000_000_000L, "closing stops the running chain promptly");
  }

  @Test
  void eventStreamsAreLimitedAndTheRestAreToldToPoll() throws Exception {
    String running = submit(LONG);
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    java.net.http.HttpRequest events = java.net.http.HttpRequest.newBuilder(
        server.uri().resolve("/api/jobs/" + running + "/events")).build();
    List<java.net.http.HttpResponse<java.io.InputStream>> open = new java.util.ArrayList<>();
    for (int i = 0; i < EventStream.MAX_STREAMS; i++) {
      open.add(http.send(events, java.net.http.HttpResponse.BodyHandlers.ofInputStream()));
      assertEquals(200, open.get(i).statusCode());
    }
    var refused = client.get("/api/jobs/" + running + "/events");
    assertEquals(503, refused.statusCode());
    assertEquals("too many pages are following jobs; ask GET /api/jobs/" + running + " instead",
        ServerClient.json(refused).get("error"));
    assertEquals(200, client.get("/api/jobs/" + running).statusCode(), "short requests still get through");
    client.post("/api/jobs/" + running + "/cancel", Map.of());
    for (var stream : open) {
      stream.body().readAllBytes();   // each ends with the cancelled state
      stream.body().close();
    }
    assertEquals(200, client.get("/api/jobs/" + running + "/events").statusCode(), "closed streams free their places");
  }

  @Test
  void unknownJobsAndWrongMethodsAreClearErrors() {
    var unknown = client.get("/api/jobs/0123456789abcdef01");
    assertEquals(404, unknown.statusCode());
    assertEquals("job 0123456789abcdef01 (finished jobs are kept for an hour) not found",
        ServerClient.json(unknown).get("error"));
    assertEquals(404, client.post("/api/jobs/0123456789abcdef01/cancel", Map.of()).statusCode());
    String id = submit(SHORT);
    var wrong = client.get("/api/jobs/" + id + "/cancel");
    assertEquals(405, wrong.statusCode());
    assertEquals("POST", wrong.headers().firstValue("Allow").orElse(""));
    client.finish(id);
  }
}
