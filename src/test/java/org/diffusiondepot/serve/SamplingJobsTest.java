package org.diffusiondepot.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.diffusiondepot.sampler.Sampling;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A request's life through the API: submitted, followed through its event stream (progress,
 * previews of x_0), finished with its images; and the command line the page shows gives the same
 * pixels through {@code depot-sample}.
 */
class SamplingJobsTest {
  static DepotServer server;
  static ServerClient client;
  @TempDir static Path dir;

  @BeforeAll
  static void start() throws Exception {
    server = DepotServer.start(List.of(TinyExports.unconditional(), TinyExports.classes()),
        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), ServerOptions.DEFAULTS,
        new PrintWriter(System.err, true));
    client = new ServerClient(server.uri());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void aJobReportsProgressAndPreviewsThenItsImages() {
    Map<String, Object> accepted = client.submit("uncond", Map.of("num", "3", "sampler", "ddim", "steps", "40",
        "eta", "0.5", "seed", "7"));
    String id = (String) accepted.get("id");
    assertTrue(List.of("queued", "running").contains(accepted.get("state")), accepted.toString());
    List<Map<String, Object>> events = client.events(id);
    Map<String, Object> last = events.get(events.size() - 1);
    assertEquals("done", last.get("state"), last.toString());
    assertEquals(40L, last.get("total"));
    assertEquals(40L, last.get("step"));
    assertTrue((Long) last.get("previews") >= JobRunner.PREVIEWS_PER_CHAIN, "a preview every two steps: " + last);
    long previous = -1;
    for (Map<String, Object> event : events) {
      long step = (Long) event.get("step");
      assertTrue(step >= previous, "steps only go forward: " + events);
      previous = step;
    }

    BufferedImage preview = TestPngs.read(client.get("/api/jobs/" + id + "/preview.png").body());
    assertTrue(preview.getWidth() > 8, "the chunk's predicted x0 as a grid");
    Map<String, Object> result = cast(last.get("result"));
    assertEquals(3L, result.get("count"));
    assertEquals(List.of("sample"), result.get("columns"));
    for (int i = 0; i < 3; i++) {
      var sample = client.get("/api/jobs/" + id + "/samples/" + i + ".png");
      assertEquals(200, sample.statusCode());
      assertEquals("image/png", sample.headers().firstValue("Content-Type").orElse(""));
      BufferedImage image = TestPngs.read(sample.body());
      assertEquals(8, image.getWidth());
      assertTrue(TestPngs.samePixels(image, TestPngs.read(client.get("/api/jobs/" + id + "/panels/" + i + "/0.png")
          .body())), "the panel of an unconditional sample is the sample");
    }
    assertEquals(404, client.get("/api/jobs/" + id + "/samples/3.png").statusCode());
    assertEquals(404, client.get("/api/jobs/" + id + "/panels/0/1.png").statusCode());
    assertEquals(404, client.get("/api/jobs/" + id + "/samples/x.png").statusCode());
    assertTrue(TestPngs.read(client.get("/api/jobs/" + id + "/grid.png").body()).getWidth() > 3 * 8 * 4 / 2);

    Map<String, Object> settings = cast(last.get("settings"));
    assertEquals(7L, settings.get("seed"));
    assertEquals("ddim", settings.get("sampler"));
    assertEquals(0.5, ((Number) settings.get("eta")).doubleValue());
    String command = (String) last.get("command");
    assertTrue(command.startsWith("tools/depot-sample --model " + TinyExports.unconditional().toAbsolutePath()
        + " --num 3 --sampler ddim --steps 40 --eta 0.5 --seed 7"), command);
  }

  @Test
  void aBlankSeedIsChosenAndReported() {
    Map<String, Object> job = client.finish((String) client.submit("uncond", Map.of("num", "1", "steps", "2"))
        .get("id"));
    long seed = (Long) cast(job.get("settings")).get("seed");
    assertTrue(seed >= 0 && ((String) job.get("command")).contains("--seed " + seed), job.toString());
  }

  @Test
  void theShownCommandLineReproducesThePixels() throws Exception {
    // every sampler the page offers, so that one added to the library is checked against the CLI too
    for (Sampling.Method method : SamplerChoices.all()) {
      Map<String, String> form = new java.util.HashMap<>(Map.of("num", "3", "sampler", SamplerChoices.name(method),
          "seed", "11"));
      if (SamplerChoices.takesSteps(method)) {
        form.put("steps", "6");
      }
      if (SamplerChoices.takesEta(method)) {
        form.put("eta", "1");
      }
      Reproduction.check(client, dir, "uncond", form);
    }
    Reproduction.check(client, dir, "classes", Map.of("num", "2", "sampler", "ddim", "steps", "5", "seed", "3",
        "class", "all", "guidance", "2.5"));
    Reproduction.check(client, dir, "classes", Map.of("num", "2", "steps", "5", "seed", "4", "class", "triangle",
        "guidance", "0"));
  }

  @Test
  void classesAreChosenByNameOrAllAndLabelTheRows() {
    Map<String, Object> one = client.finish((String) client.submit("classes", Map.of("num", "2", "steps", "2",
        "class", "square")).get("id"));
    assertEquals(List.of("square", "square"), cast(one.get("result")).get("labels"));
    Map<String, Object> all = client.finish((String) client.submit("classes", Map.of("num", "2", "steps", "2",
        "class", "all", "guidance", "4")).get("id"));
    assertEquals(List.of("circle", "circle", "square", "square", "triangle", "triangle"),
        cast(all.get("result")).get("labels"));
    assertTrue(((String) all.get("command")).contains("--num 2 --sampler ddim --steps 2 --eta 0 --seed "),
        all.toString());
    assertTrue(((String) all.get("command")).contains("--class all --guidance 4 --out"), all.toString());
  }

  @Test
  void badSettingsAreAnsweredAtOnceWithAClearMessage() {
    String[][] cases = {
        {"uncond", "steps", "0", "--steps must be between 1 and 1000"},
        {"uncond", "steps", "many", "steps must be a whole number, got 'many'"},
        {"uncond", "sampler", "euler", "unknown sampler 'euler'; use one of ddpm, ddim"},
        {"uncond", "num", "0", "the number of images must be at least 1, got 0"},
        {"uncond", "num", "65", "at most 64 images per request, asked for 65"},
        {"uncond", "eta", "-1", "--eta must be >= 0, got -1.0"},
        {"uncond", "eta", "NaN", "eta must be a number, got 'NaN'"},
        {"uncond", "seed", "1.5", "the seed must be a whole number, got '1.5'"},
        {"uncond", "class", "circle", "a class applies to class-conditional models; this one is unconditional"},
        {"uncond", "guidance", "2", "--guidance applies to class-conditional models; this one is UNCONDITIONAL"},
        {"uncond", "lowRes", ServerClient.dataUrl("image/png", TestPngs.png(TestPngs.pattern(4))),
            "a low-resolution image applies to super-resolution models; this one is unconditional"},
        {"classes", "class", "horse", "unknown class 'horse'; valid classes: circle, square, triangle"},
        {"classes", "num", "30", "at most 64 images per request, asked for 90 (30 for each of 3 classes)"},
        {"classes", "num", "1000000000", "at most 64 images per request, asked for 1000000000"},
    };
    for (String[] c : cases) {
      Map<String, String> form = new java.util.HashMap<>(Map.of(c[1], c[2]));
      if (c[0].equals("classes") && !c[1].equals("class")) {
        form.put("class", "all");
      }
      var response = client.post("/api/models/" + c[0] + "/jobs", form);
      assertEquals(400, response.statusCode(), String.join(" ", c) + " -> " + ServerClient.text(response));
      String error = (String) ServerClient.json(response).get("error");
      assertTrue(error.startsWith(c[3]), c[1] + "=" + c[2] + " -> " + error);
      assertFalse(error.contains("Exception"), error);
    }
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> cast(Object o) {
    return (Map<String, Object>) o;
  }
}
