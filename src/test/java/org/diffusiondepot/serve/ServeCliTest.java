package org.diffusiondepot.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tools/depot-serve}: starts, prints each model's page, serves until told to stop; bad options are one line. */
class ServeCliTest {
  @TempDir Path dir;

  @Test
  void servesEveryModelGivenAndPrintsTheirPages() throws Exception {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CountDownLatch stop = new CountDownLatch(1);
    CompletableFuture<Integer> run = CompletableFuture.supplyAsync(() -> ServeCli.execute(new PrintWriter(out, true),
        new PrintWriter(err, true), stop, "--model", TinyExports.unconditional().toString(), "--model",
        TinyExports.inpainting().toString(), "--port", "0"));
    Pattern page = Pattern.compile("(http://127\\.0\\.0\\.1:\\d+/)models/inpaint");
    Matcher m = page.matcher("");
    for (int i = 0; i < 600 && !m.find(); i++) {
      Thread.sleep(50);
      m = page.matcher(out.toString());
    }
    assertTrue(m.find(0), "printed the pages: " + out + err);
    assertTrue(out.toString().startsWith("depot-serve: 2 model(s) at http://127.0.0.1:"), out.toString());
    ServerClient client = new ServerClient(URI.create(m.group(1)));
    assertEquals(200, client.get("/models/uncond").statusCode());
    assertEquals(2, ServerClient.jsonList(client.get("/api/models")).size());
    stop.countDown();
    assertEquals(0, run.get(30, TimeUnit.SECONDS), err.toString());
  }

  @Test
  void badOptionsAreOneLineAndExitTwo() {
    String[][] cases = {
        {"no export at " + dir.resolve("missing"), "--model", dir.resolve("missing").toString()},
        {"--port must be between 0 and 65535, got 70000", "--model", dir.toString(), "--port", "70000"},
        {"--host no.such.host.invalid: unknown host", "--model", dir.toString(), "--host", "no.such.host.invalid"},
        {"is not a Diffusion Depot export", "--model", dir.toString(), "--port", "0"},
    };
    for (String[] c : cases) {
      StringWriter err = new StringWriter();
      int code = ServeCli.execute(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true),
          new CountDownLatch(0), java.util.Arrays.copyOfRange(c, 1, c.length));
      assertEquals(2, code, err.toString());
      String line = err.toString().strip();
      assertTrue(line.startsWith("error: ") && line.contains(c[0]) && !line.contains("\n"), line);
    }
  }
}
