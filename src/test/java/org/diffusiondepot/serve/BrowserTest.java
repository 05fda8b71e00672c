package org.diffusiondepot.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The pages in a real browser (headless Chromium): four images generated on an unconditional
 * model's page; a mask painted with the mouse on an inpainting page, filled, with every pixel
 * outside the painted region unchanged; and upload mistakes shown on the page.
 */
class BrowserTest {
  @TempDir static Path dir;
  static ChromeDriver browser;
  static DepotServer server;
  static ServerClient client;

  @BeforeAll
  static void start() throws Exception {
    browser = Browser.start(dir.resolve("profile"));
    server = DepotServer.start(List.of(TinyExports.unconditional(), TinyExports.inpainting()),
        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), ServerOptions.DEFAULTS,
        new PrintWriter(System.err, true));
    client = new ServerClient(server.uri());
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.quit();
    }
    if (server != null) {
      server.close();
    }
  }

  /** Opens a model's page and waits until it has read the model's card. */
  static void open(String model) {
    browser.get(server.uri().resolve("/models/" + model).toString());
    waitFor(() -> !browser.findElements(By.cssSelector("#sampler option")).isEmpty());
  }

  static void type(String id, String value) {
    WebElement field = browser.findElement(By.id(id));
    field.clear();
    field.sendKeys(value);
  }

  static String text(String id) {
    return browser.findElement(By.id(id)).getText();
  }

  /** Waits until {@code n} result images have loaded; returns the job id from the page's address. */
  static String awaitSamples(int n) {
    waitFor(() -> Boolean.TRUE.equals(browser.executeScript("const images = document.querySelectorAll('img.sample');"
        + "return images.length === " + n + " && [...images].every((i) => i.complete && i.naturalWidth > 0);")));
    Matcher m = Pattern.compile("#job=(\\w+)").matcher(browser.getCurrentUrl());
    assertTrue(m.find(), browser.getCurrentUrl());
    return m.group(1);
  }

  static void waitFor(java.util.function.BooleanSupplier condition) {
    new WebDriverWait(browser, Duration.ofSeconds(60)).until(b -> condition.getAsBoolean());
  }

  @Test
  void generatesFourImagesOnAnUnconditionalPage() {
    open("uncond");
    assertEquals("Generate", text("generate"));
    assertTrue(browser.findElement(By.cssSelector("fieldset[data-task=inpainting]")).getAttribute("hidden") != null);
    type("num", "4");
    type("steps", "10");
    type("seed", "5");
    browser.findElement(By.id("generate")).click();
    String job = awaitSamples(4);
    assertEquals("Done: 4 images", text("status"));
    String command = text("command");
    assertTrue(command.contains("--num 4 --sampler ddim --steps 10 --eta 0 --seed 5"), command);
    List<WebElement> downloads = browser.findElements(By.cssSelector("#results figure a.download"));
    assertEquals(4, downloads.size());
    for (int i = 0; i < 4; i++) {
      String href = downloads.get(i).getAttribute("href");
      assertTrue(href.endsWith("/api/jobs/" + job + "/samples/" + i + ".png"), href);
      assertEquals("uncond-seed5-" + i + ".png", downloads.get(i).getAttribute("download"));
      BufferedImage png = TestPngs.read(client.get(URI.create(href).getPath()).body());
      assertEquals(8, png.getWidth());
    }
  }

  @Test
  void fillsAMaskPaintedWithTheMouseAndKeepsEveryOtherPixel() throws Exception {
    Path photo = dir.resolve("photo.png");
    ImageIO.write(TestPngs.pattern(8), "png", photo.toFile());
    open("inpaint");
    assertEquals("Fill", text("generate"));
    browser.findElement(By.id("inpaint-file")).sendKeys(photo.toString());
    WebElement canvas = browser.findElement(By.id("mask-canvas"));
    waitFor(canvas::isDisplayed);
    int width = canvas.getSize().getWidth();
    // a stroke across the middle: offsets are from the canvas's centre
    new Actions(browser).moveToElement(canvas, -width / 4, 0).clickAndHold().moveByOffset(width / 2, 0).release()
        .perform();
    Matcher painted = Pattern.compile("(\\d+) of 64 pixels to fill").matcher(text("paint-hint"));
    assertTrue(painted.find(), text("paint-hint"));
    int count = Integer.parseInt(painted.group(1));
    assertTrue(count > 0 && count < 64, text("paint-hint"));
    type("num", "2");
    type("steps", "4");
    browser.findElement(By.id("generate")).click();
    String job = awaitSamples(2);

    BufferedImage mask = TestPngs.read(client.get("/api/jobs/" + job + "/uploads/mask.png").body());
    BufferedImage input = TestPngs.pattern(8);
    int holes = 0;
    for (int i = 0; i < 2; i++) {
      BufferedImage out = TestPngs.read(client.get("/api/jobs/" + job + "/samples/" + i + ".png").body());
      for (int y = 0; y < 8; y++) {
        for (int x = 0; x < 8; x++) {
          boolean hole = (mask.getRGB(x, y) & 0xffffff) == 0xffffff;
          holes += hole && i == 0 ? 1 : 0;
          if (!hole) {
            assertEquals(input.getRGB(x, y) & 0xffffff, out.getRGB(x, y) & 0xffffff, "known pixel " + x + "," + y);
          } else {
            assertTrue(y == 3 || y == 4, "painted where the stroke went, row " + y);
          }
        }
      }
    }
    assertEquals(count, holes, "the mask the server got is the one painted");
    assertTrue(text("command").contains("--image photo.png --mask mask.png"), text("command"));
  }

  @Test
  void uploadMistakesAreShownOnThePage() throws Exception {
    open("inpaint");
    Path photo = dir.resolve("photo.png");
    ImageIO.write(TestPngs.pattern(8), "png", photo.toFile());
    browser.findElement(By.id("inpaint-file")).sendKeys(photo.toString());
    waitFor(browser.findElement(By.id("mask-canvas"))::isDisplayed);
    browser.findElement(By.id("generate")).click();
    waitFor(() -> browser.findElement(By.id("message")).isDisplayed());
    assertEquals("the mask mask.png is empty: paint the region to fill in white", text("message"));

    Path notes = dir.resolve("notes.txt");
    Files.writeString(notes, "not a picture", StandardCharsets.UTF_8);
    open("inpaint");
    browser.findElement(By.id("inpaint-file")).sendKeys(notes.toString());
    waitFor(() -> browser.findElement(By.id("message")).isDisplayed());
    assertEquals("notes.txt is not an image this browser can show; choose a PNG or JPEG", text("message"));
    browser.findElement(By.id("generate")).click();
    waitFor(() -> text("message").startsWith("notes.txt is not a PNG"));
    assertEquals("notes.txt is not a PNG or JPEG image", text("message"));
  }
}
