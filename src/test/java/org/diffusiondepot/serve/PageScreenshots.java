package org.diffusiondepot.serve;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Not a check but a look: screenshots of every task's page in its interesting states, for a
 * person to review. Runs only when asked:
 * {@code mvn -B -o test -Dtest=PageScreenshots -Ddepot.screenshots=/tmp/shots}, and with
 * {@code -Ddepot.screenshots.demo=checkpoints/demo-export} also the demo model's page while it samples.
 */
@EnabledIfSystemProperty(named = "depot.screenshots", matches = ".+")
class PageScreenshots {
  @TempDir Path dir;
  ChromeDriver browser;
  DepotServer server;
  Path out;

  @Test
  void everyTasksPage() throws Exception {
    out = Path.of(System.getProperty("depot.screenshots"));
    Files.createDirectories(out);
    browser = Browser.start(dir.resolve("profile"));
    browser.manage().window().setSize(new Dimension(1280, 1100));
    List<Path> exports = new java.util.ArrayList<>(List.of(TinyExports.unconditional(), TinyExports.classes(),
        TinyExports.noGuidance(), TinyExports.inpainting(), TinyExports.superResolution()));
    String demo = System.getProperty("depot.screenshots.demo", "");
    if (!demo.isEmpty()) {
      exports.add(Path.of(demo));
    }
    server = DepotServer.start(exports,
        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), ServerOptions.DEFAULTS,
        new PrintWriter(System.err, true));
    ServerClient client = new ServerClient(server.uri());
    try {
      browser.get(server.uri().toString());
      waitFor("!!document.querySelector('#models li')");
      shot("index");

      open("uncond");
      shot("uncond-empty");
      String other = (String) client.submit("uncond", QueueTest.LONG).get("id");
      type("num", "9");
      browser.findElement(By.id("sampler")).sendKeys("DDPM");
      browser.findElement(By.id("generate")).click();
      waitFor("document.getElementById('status').textContent.startsWith('Waiting')");
      shot("uncond-queued");
      client.post("/api/jobs/" + other + "/cancel", Map.of());
      waitFor("!document.getElementById('preview-figure').hidden");
      shot("uncond-running");
      waitFor("document.getElementById('status').textContent.startsWith('Done')");
      shot("uncond-done");

      open("classes");
      type("num", "3");
      type("steps", "20");
      browser.findElement(By.id("generate")).click();
      waitFor("document.getElementById('status').textContent.startsWith('Done')");
      shot("classes-done");
      open("no-cfg");
      shot("no-cfg");

      Path photo = dir.resolve("photo.png");
      ImageIO.write(InputFixtures.photo(64), "png", photo.toFile());
      open("inpaint");
      browser.findElement(By.id("inpaint-file")).sendKeys(photo.toString());
      browser.findElement(By.id("generate")).click();
      waitFor("!document.getElementById('message').hidden");
      shot("inpaint-empty-mask");
      WebElement canvas = browser.findElement(By.id("mask-canvas"));
      int w = canvas.getSize().getWidth();
      new Actions(browser).moveToElement(canvas, -w / 5, -w / 8).clickAndHold().moveByOffset(w / 3, w / 6)
          .moveByOffset(0, w / 6).release().perform();
      shot("inpaint-painted");
      type("num", "3");
      type("steps", "20");
      browser.findElement(By.id("generate")).click();
      waitFor("document.getElementById('status').textContent.startsWith('Done')");
      shot("inpaint-done");

      Path small = dir.resolve("small.png");
      ImageIO.write(InputFixtures.photo(8), "png", small.toFile());
      open("sr");
      browser.findElement(By.id("lowres-file")).sendKeys(small.toString());
      type("num", "2");
      type("steps", "20");
      browser.findElement(By.id("generate")).click();
      waitFor("document.getElementById('status').textContent.startsWith('Done')");
      shot("sr-done");

      browser.manage().window().setSize(new Dimension(700, 1100));
      open("inpaint");
      browser.findElement(By.id("inpaint-file")).sendKeys(photo.toString());
      shot("inpaint-narrow");
      browser.manage().window().setSize(new Dimension(1280, 1100));

      if (!demo.isEmpty()) {
        open(server.modelIds().get(server.modelIds().size() - 1));
        type("num", "16");
        type("steps", "100");
        type("eta", "1");
        type("seed", "1");
        browser.findElement(By.id("generate")).click();
        waitFor("!document.getElementById('preview-figure').hidden && document.getElementById('preview').complete"
            + " && document.getElementById('status').textContent.match(/step (\\d+)/)[1] > 30");
        shot("demo-running");
        waitFor("document.getElementById('status').textContent.startsWith('Done')");
        shot("demo-done");
      }
    } finally {
      browser.quit();
      server.close();
    }
  }

  void open(String model) {
    browser.get(server.uri().resolve("/models/" + model).toString());
    waitFor("document.querySelectorAll('#sampler option').length > 0");
  }

  void type(String id, String value) {
    WebElement field = browser.findElement(By.id(id));
    field.clear();
    field.sendKeys(value);
  }

  void waitFor(String script) {
    new WebDriverWait(browser, java.time.Duration.ofSeconds(60))
        .until(b -> Boolean.TRUE.equals(browser.executeScript("return " + script + ";")));
  }

  void shot(String name) throws Exception {
    Path png = browser.getScreenshotAs(OutputType.FILE).toPath();
    Files.move(png, out.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
  }
}
