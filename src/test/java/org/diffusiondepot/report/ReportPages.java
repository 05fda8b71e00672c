package org.diffusiondepot.report;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;

/** Checks shared by the report tests: what a written page must satisfy whatever it shows. */
final class ReportPages {
  private static final Pattern IMG = Pattern.compile("<img[^>]*\\ssrc=\"([^\"]*)\"");

  private ReportPages() {}

  /** The relative image links of a page. */
  static List<String> images(String html) {
    List<String> links = new ArrayList<>();
    Matcher m = IMG.matcher(html);
    while (m.find()) {
      links.add(m.group(1));
    }
    return links;
  }

  /**
   * A standalone page: inline CSS, no scripts, nothing fetched from elsewhere, no failed section,
   * and every image a decodable PNG beside it.
   */
  static String checkPage(Path index) throws IOException {
    assertTrue(Files.isRegularFile(index), index + " written");
    String html = Files.readString(index);
    assertTrue(html.startsWith("<!DOCTYPE html>"), "doctype");
    assertTrue(html.contains("<style>") && html.trim().endsWith("</html>"), "inline CSS, complete document");
    assertFalse(html.contains("<script"), "no scripts");
    assertFalse(html.matches("(?s).*(src|href)=\"(https?:)?//.*"), "no external resources");
    assertFalse(html.contains("<link"), "no linked stylesheets");
    assertFalse(html.contains("This section failed"), "a section failed:\n" + html);
    for (String src : images(html)) {
      assertFalse(src.startsWith("/") || src.contains(":"), "relative link " + src);
      Path png = index.getParent().resolve(src);
      assertTrue(Files.isRegularFile(png), "missing " + src);
      assertTrue(Files.size(png) > 300, src + " is " + Files.size(png) + " bytes");
      BufferedImage image = ImageIO.read(png.toFile());
      assertNotNull(image, src + " decodes");
      assertTrue(image.getWidth() >= 32 && image.getHeight() >= 32, src + " is " + image.getWidth() + "x"
          + image.getHeight());
      assertFalse(singleColour(image), src + " is a single colour");
    }
    return html;
  }

  private static boolean singleColour(BufferedImage image) {
    int first = image.getRGB(0, 0);
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        if (image.getRGB(x, y) != first) {
          return false;
        }
      }
    }
    return true;
  }
}
