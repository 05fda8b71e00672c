package org.diffusiondepot.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.diffusiondepot.sampler.cli.SampleCli;

/** Checks that the command line a finished job shows gives its pixels through {@code depot-sample}. */
final class Reproduction {
  private Reproduction() {}

  /** Runs the job's args through SampleCli (uploads saved beside) and compares every sample. */
  static void check(ServerClient client, Path dir, String model, Map<String, String> form) throws Exception {
    Map<String, Object> job = client.finish((String) client.submit(model, form).get("id"));
    assertEquals("done", job.get("state"), job.toString());
    Path out = Files.createTempDirectory(dir, model);
    List<String> args = new ArrayList<>();
    for (Object arg : (List<?>) job.get("args")) {
      args.add((String) arg);
    }
    for (Object upload : (List<?>) job.get("uploads")) {
      Files.write(out.resolve((String) upload), client.get("/api/jobs/" + job.get("id") + "/uploads/" + upload).body());
    }
    // the command runs in a folder holding the uploads; so do we, by resolving its relative paths there
    for (int i = 0; i < args.size(); i++) {
      if (List.of("--image", "--mask", "--low-res", "--out", "--out-dir").contains(args.get(i))) {
        args.set(i + 1, out.resolve(args.get(i + 1)).toString());
      }
    }
    StringWriter err = new StringWriter();
    int code = SampleCli.execute(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true),
        args.toArray(String[]::new));
    assertEquals(0, code, err.toString());
    long count = (Long) SamplingJobsTest.cast(job.get("result")).get("count");
    for (int i = 0; i < count; i++) {
      BufferedImage cli = ImageIO.read(out.resolve("samples").resolve(String.format("sample-%04d.png", i)).toFile());
      BufferedImage served = TestPngs.read(client.get("/api/jobs/" + job.get("id") + "/samples/" + i + ".png").body());
      assertTrue(TestPngs.samePixels(cli, served), "sample " + i + " of " + job.get("command"));
    }
    assertTrue(TestPngs.samePixels(ImageIO.read(out.resolve("samples.png").toFile()),
        TestPngs.read(client.get("/api/jobs/" + job.get("id") + "/grid.png").body())), "the grid too");
  }

}
