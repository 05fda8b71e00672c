package org.diffusiondepot.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inpainting and super-resolution requests with their uploads: good ones are filled or upscaled
 * (known pixels unchanged, each sample beside its conditioning); bad ones are refused with the
 * command line's message, naming the upload rather than a temporary file.
 */
class UploadsTest {
  static DepotServer server;
  static ServerClient client;
  @TempDir static Path dir;
  static final byte[] IMAGE = TestPngs.png(TestPngs.pattern(8));
  static final byte[] MASK = TestPngs.png(TestPngs.mask(8, 2, 3, 6, 8));

  @BeforeAll
  static void start() throws Exception {
    server = DepotServer.start(List.of(TinyExports.inpainting(), TinyExports.superResolution()),
        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), ServerOptions.DEFAULTS,
        new PrintWriter(System.err, true));
    client = new ServerClient(server.uri());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static Map<String, String> inpaint(byte[] image, String name, byte[] mask) {
    Map<String, String> form = new HashMap<>(Map.of("num", "2", "steps", "4", "seed", "9"));
    if (image != null) {
      form.put("image", ServerClient.dataUrl("image/png", image));
      form.put("imageName", name);
    }
    if (mask != null) {
      form.put("mask", ServerClient.dataUrl("image/png", mask));
    }
    return form;
  }

  @Test
  void inpaintingKeepsEveryKnownPixelAndShowsTheMaskedInput() {
    Map<String, Object> job = client.finish((String) client.submit("inpaint", inpaint(IMAGE, "photo.png", MASK))
        .get("id"));
    assertEquals("done", job.get("state"), job.toString());
    Map<String, Object> result = SamplingJobsTest.cast(job.get("result"));
    assertEquals(List.of("masked input", "output"), result.get("columns"));
    BufferedImage input = TestPngs.pattern(8);
    BufferedImage mask = TestPngs.mask(8, 2, 3, 6, 8);
    for (int i = 0; i < 2; i++) {
      BufferedImage out = TestPngs.read(client.get("/api/jobs/" + job.get("id") + "/samples/" + i + ".png").body());
      int changed = 0;
      for (int y = 0; y < 8; y++) {
        for (int x = 0; x < 8; x++) {
          boolean known = (mask.getRGB(x, y) & 0xffffff) == 0;
          int same = (out.getRGB(x, y) & 0xffffff) == (input.getRGB(x, y) & 0xffffff) ? 1 : 0;
          if (known) {
            assertEquals(1, same, "known pixel " + x + "," + y + " of sample " + i);
          } else {
            changed += 1 - same;
          }
        }
      }
      assertTrue(changed > 0, "the hole is generated");
    }
    assertEquals(List.of("photo.png", "mask.png"), job.get("uploads"));
    assertArrayEquals(MASK, client.get("/api/jobs/" + job.get("id") + "/uploads/mask.png").body());
    assertArrayEquals(IMAGE, client.get("/api/jobs/" + job.get("id") + "/uploads/photo.png").body());
    assertEquals(404, client.get("/api/jobs/" + job.get("id") + "/uploads/other.png").statusCode());
    assertTrue(((String) job.get("command")).contains("--image photo.png --mask mask.png"), job.toString());
  }

  @Test
  void inpaintingAndSuperResolutionReproduceThroughTheCli() throws Exception {
    Reproduction.check(client, dir, "inpaint", inpaint(IMAGE, "my photo.png", MASK));
    Map<String, String> upscale = Map.of("num", "2", "steps", "3", "seed", "2", "lowRes",
        ServerClient.dataUrl("image/png", TestPngs.png(TestPngs.pattern(8))), "lowResName", "small.png");
    Reproduction.check(client, dir, "sr", upscale);
  }

  @Test
  void anImageOfAnotherSizeIsResizedWithTheCommandLinesNote() {
    Map<String, Object> job = client.finish((String) client.submit("inpaint", inpaint(TestPngs.png(
        TestPngs.pattern(16)), "big.png", TestPngs.png(TestPngs.mask(16, 0, 0, 8, 8)))).get("id"));
    assertEquals("done", job.get("state"), job.toString());
    assertEquals(List.of("note: resizing big.png and its mask from 16x16 to the model's 8x8"), job.get("notes"));
  }

  @Test
  void badUploadsAreRefusedWithTheCommandLinesMessage() {
    byte[] text = "not a picture".getBytes(StandardCharsets.UTF_8);
    Object[][] cases = {
        {inpaint(text, "notes.txt", MASK), "notes.txt is not a PNG or JPEG image"},
        {inpaint(text, "notes.txt", null), "notes.txt is not a PNG or JPEG image"},
        {inpaint(IMAGE, "photo.png", TestPngs.png(TestPngs.mask(4, 0, 0, 2, 2))),
            "the mask mask.png is 4x4 but the image photo.png is 8x8; they must have the same size"},
        {inpaint(IMAGE, "photo.png", TestPngs.png(TestPngs.mask(8, 0, 0, 0, 0))),
            "the mask mask.png is empty: paint the region to fill in white"},
        {inpaint(null, null, MASK), "choose an image to fill (PNG or JPEG)"},
        {inpaint(IMAGE, "photo.png", null), "paint the region to fill on the image"},
        {Map.of("image", "photo.png", "mask", "x"), "the image did not arrive as a base64 data URL"},
        {Map.of("image", "data:image/png;base64,%%%"), "the image is not valid base64"},
    };
    for (Object[] c : cases) {
      @SuppressWarnings("unchecked")
      Map<String, String> form = (Map<String, String>) c[0];
      var response = client.post("/api/models/inpaint/jobs", form);
      assertEquals(400, response.statusCode(), c[1] + " -> " + ServerClient.text(response));
      String error = (String) ServerClient.json(response).get("error");
      assertTrue(error.startsWith((String) c[1]), c[1] + " -> " + error);
      assertTrue(!error.contains("/tmp") && !error.contains("depot-serve-upload"), "no temporary paths: " + error);
    }
  }

  @Test
  void superResolutionShowsLowResBicubicAndOutputSideBySide() {
    Map<String, Object> job = client.finish((String) client.submit("sr", Map.of("num", "2", "steps", "3",
        "lowRes", ServerClient.dataUrl("image/png", TestPngs.png(TestPngs.pattern(5))), "lowResName", "tiny.png"))
        .get("id"));
    assertEquals("done", job.get("state"), job.toString());
    assertEquals(List.of("note: resizing tiny.png from 5x5 to the model's 8x8 low-resolution input"), job.get("notes"));
    Map<String, Object> result = SamplingJobsTest.cast(job.get("result"));
    assertEquals(List.of("low-res", "bicubic", "output"), result.get("columns"));
    for (int column = 0; column < 3; column++) {
      BufferedImage tile = TestPngs.read(client.get("/api/jobs/" + job.get("id") + "/panels/1/" + column + ".png")
          .body());
      assertEquals(16, tile.getWidth(), "every panel at the output size");
    }
    assertTrue(((String) job.get("command")).contains("--low-res tiny.png"), job.toString());

    String[][] cases = {
        {"", "choose a low-resolution image to upscale (PNG or JPEG, 8x8)"},
        {ServerClient.dataUrl("text/plain", "hello".getBytes(StandardCharsets.UTF_8)),
            "upload.png is not a PNG or JPEG image"},
    };
    for (String[] c : cases) {
      var response = client.post("/api/models/sr/jobs", c[0].isEmpty() ? Map.of() : Map.of("lowRes", c[0]));
      assertEquals(400, response.statusCode(), ServerClient.text(response));
      assertEquals(c[1], ServerClient.json(response).get("error"));
    }
    var inpaintOnSr = client.post("/api/models/sr/jobs", inpaint(IMAGE, "photo.png", MASK));
    assertEquals("an image and a mask apply to inpainting models; this one is super-resolution",
        ServerClient.json(inpaintOnSr).get("error"));
  }
}
