package org.diffusiondepot.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.diffusiondepot.sampler.Sampling;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the pages are built from: the list of models, each model's card as its page needs it (the
 * task's controls, samplers from the library's enum), the static files, and the error answers of
 * paths and methods that do not exist.
 */
class ServerPagesTest {
  static DepotServer server;
  static ServerClient client;

  @BeforeAll
  static void start() throws Exception {
    server = DepotServer.start(List.of(TinyExports.unconditional(), TinyExports.classes(), TinyExports.noGuidance(),
        TinyExports.inpainting(), TinyExports.superResolution(), TinyExports.unconditional()),
        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), ServerOptions.DEFAULTS,
        new PrintWriter(System.err, true));
    client = new ServerClient(server.uri());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void theServerListensOnTheLoopbackAddressOnly() {
    assertTrue(server.uri().getHost().equals("127.0.0.1") || server.uri().getHost().equals("[::1]"), server.uri()
        .toString());
  }

  @Test
  void everyModelIsListedWithItsTaskAndOneIdPerExport() {
    List<Map<String, Object>> models = ServerClient.jsonList(client.get("/api/models"));
    assertEquals(List.of("uncond", "classes", "no-cfg", "inpaint", "sr", "uncond-2"),
        models.stream().map(m -> m.get("id")).toList());
    assertEquals(List.of("unconditional", "class-conditional", "class-conditional", "inpainting", "super-resolution",
        "unconditional"), models.stream().map(m -> m.get("task")).toList());
    assertEquals(server.modelIds(), models.stream().map(m -> m.get("id")).toList());
  }

  @Test
  void aModelsCardTellsItsPageWhichControlsToShow() {
    Map<String, Object> uncond = model("uncond");
    assertEquals("tiny_uncond", uncond.get("name"));
    assertEquals("tiny test model", uncond.get("description"));
    assertEquals(8L, uncond.get("imageSize"));
    assertEquals(1000L, uncond.get("timesteps"));
    assertNull(uncond.get("classes"));
    assertNull(uncond.get("lowResSize"));
    List<?> samplers = (List<?>) uncond.get("samplers");
    assertEquals(Arrays.stream(Sampling.Method.values()).map(Sampling.Method::cliName).toList(),
        samplers.stream().map(s -> ((Map<?, ?>) s).get("name")).toList(), "every sampler of the library's enum");
    assertEquals(Map.of("name", "ddpm", "label", "DDPM", "steps", false, "eta", false), samplers.get(0));
    assertEquals(Map.of("name", "ddim", "label", "DDIM", "steps", true, "eta", true), samplers.get(1));

    Map<String, Object> classes = model("classes");
    assertEquals(List.of("circle", "square", "triangle"), classes.get("classes"));
    assertEquals(Map.of("available", true, "default", 3L), classes.get("guidance"));
    assertEquals(Map.of("available", false, "default", 1L), model("no-cfg").get("guidance"),
        "the slider is disabled at 1 for a model trained without CFG");
    assertEquals("inpainting", model("inpaint").get("task"));
    Map<String, Object> sr = model("sr");
    assertEquals(8L, sr.get("lowResSize"));
    assertEquals(16L, sr.get("imageSize"));
  }

  @Test
  void guidanceIsRefusedForAModelTrainedWithoutIt() {
    var response = client.post("/api/models/no-cfg/jobs", Map.of("class", "circle", "guidance", "3"));
    assertEquals(400, response.statusCode());
    assertTrue(((String) ServerClient.json(response).get("error")).contains("trained without classifier-free "
        + "guidance"), ServerClient.text(response));
    assertEquals(202, client.post("/api/models/no-cfg/jobs", Map.of("class", "circle", "steps", "2")).statusCode());
  }

  @Test
  void pagesAndTheirFilesComeFromTheJar() {
    var index = client.get("/");
    assertEquals(200, index.statusCode());
    assertEquals("text/html; charset=utf-8", index.headers().firstValue("Content-Type").orElse(""));
    assertTrue(ServerClient.text(index).contains("/static/index.js"));
    var page = client.get("/models/inpaint");
    assertEquals(200, page.statusCode());
    String html = ServerClient.text(page);
    for (String part : List.of("/static/model.js", "/static/mask-painter.js", "/static/results.js",
        "/static/depot.css", "data-task=\"inpainting\"", "data-task=\"class-conditional\"",
        "data-task=\"super-resolution\"")) {
      assertTrue(html.contains(part), part);
    }
    for (String file : List.of("model.js", "mask-painter.js", "results.js", "index.js", "depot.css")) {
      var response = client.get("/static/" + file);
      assertEquals(200, response.statusCode(), file);
      assertTrue(response.body().length > 500, file);
    }
    assertEquals("image/svg+xml", client.get("/favicon.svg").headers().firstValue("Content-Type").orElse(""));
  }

  @Test
  void unknownPathsAndWrongMethodsAreAnsweredAsSuch() {
    Object[][] cases = {
        {"/models/nothing", 404, "model nothing not found"},
        {"/models/uncond/extra", 404, "model uncond/extra not found"},
        {"/static/secret.txt", 404, "/static/secret.txt not found"},
        {"/static/../model_card.pbtxt", 404, null},
        {"/api/models/nothing", 404, "model nothing not found"},
        {"/api/models/uncond/other", 404, "/api/models/uncond/other not found"},
        {"/api/elsewhere", 404, "/api/elsewhere not found"},
        {"/api/models/uncond/jobs", 405, "GET is not allowed here; use: POST"},
    };
    for (Object[] c : cases) {
      var response = client.get((String) c[0]);
      assertEquals(c[1], response.statusCode(), (String) c[0]);
      if (c[2] != null) {
        assertEquals(c[2], ServerClient.json(response).get("error"), (String) c[0]);
      }
    }
    var post = client.post("/api/models/uncond", Map.of());
    assertEquals(405, post.statusCode());
    var tooLarge = client.post("/api/models/uncond/jobs", Map.of("image", "x".repeat(ModelsApi.MAX_BODY)));
    assertEquals(413, tooLarge.statusCode());
    assertFalse(ServerClient.text(tooLarge).contains("Exception"));
    // a multipart body would otherwise read as no fields and run with every default
    var multipart = client.send(java.net.http.HttpRequest.newBuilder(client.root.resolve("/api/models/uncond/jobs"))
        .header("Content-Type", "multipart/form-data; boundary=x")
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("--x--")));
    assertEquals(415, multipart.statusCode());
    assertTrue(ServerClient.text(multipart).contains("application/x-www-form-urlencoded"), ServerClient.text(multipart));
  }

  static Map<String, Object> model(String id) {
    var response = client.get("/api/models/" + id);
    assertEquals(200, response.statusCode());
    return ServerClient.json(response);
  }
}
