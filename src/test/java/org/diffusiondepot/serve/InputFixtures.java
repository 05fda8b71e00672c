package org.diffusiondepot.serve;

import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;

/** Images that look like the built-in data (a saturated shape on a muted gradient), for the screenshots. */
final class InputFixtures {
  private InputFixtures() {}

  static BufferedImage photo(int side) {
    BufferedImage image = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setPaint(new GradientPaint(0, 0, new Color(0x8aa6b8), side, side, new Color(0xc9b79c)));
    g.fillRect(0, 0, side, side);
    g.setColor(new Color(0xd6332c));
    g.fillOval(side / 4, side / 4, side / 2, side / 2);
    g.dispose();
    return image;
  }
}
