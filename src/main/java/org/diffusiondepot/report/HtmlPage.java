package org.diffusiondepot.report;

import java.util.ArrayList;
import java.util.List;

/**
 * A static HTML document built section by section: inline CSS only, no scripts and no external
 * resources, so the page opens from disk, offline, in any browser. All text is escaped here.
 */
final class HtmlPage {
  private static final String CSS = """
      body { font: 15px/1.45 -apple-system, "Segoe UI", "DejaVu Sans", Helvetica, Arial, sans-serif;
             color: #1d232a; background: #f4f5f7; margin: 0; }
      main { max-width: 1240px; margin: 0 auto; padding: 24px 28px 48px; }
      h1 { font-size: 28px; margin: 8px 0 4px; }
      h2 { font-size: 21px; margin: 0 0 12px; padding-bottom: 6px; border-bottom: 2px solid #d9dde3; }
      h3 { font-size: 16px; margin: 18px 0 8px; }
      .subtitle { color: #56606b; margin: 0 0 16px; }
      section { background: #fff; border: 1px solid #dde1e6; border-radius: 8px; padding: 18px 22px;
                margin: 18px 0; }
      nav { margin: 8px 0 0; }
      nav a { display: inline-block; margin: 0 14px 6px 0; color: #1f5fa8; text-decoration: none; }
      nav a:hover { text-decoration: underline; }
      table { border-collapse: collapse; margin: 6px 0 10px; font-size: 14px; }
      th, td { border: 1px solid #dde1e6; padding: 4px 10px; text-align: left; vertical-align: top; }
      th { background: #f0f2f5; font-weight: 600; }
      td.num { text-align: right; font-variant-numeric: tabular-nums; }
      pre { background: #f6f8fa; border: 1px solid #e1e4e8; border-radius: 6px; padding: 10px 12px;
            font-size: 12.5px; line-height: 1.35; overflow: auto; max-height: 420px; margin: 6px 0 10px; }
      code { font-size: 13px; background: #f0f2f5; padding: 1px 4px; border-radius: 3px; }
      .cols { display: flex; flex-wrap: wrap; gap: 18px; align-items: flex-start; }
      .cols > div { flex: 1 1 440px; min-width: 0; }
      .cols > div > h3:first-child { margin-top: 4px; }
      .cols pre { max-height: 640px; }
      figure { margin: 8px 0 14px; }
      figure img { max-width: 100%; height: auto; border: 1px solid #e6e8eb; image-rendering: pixelated; }
      figure img.chart { image-rendering: auto; }
      figcaption { color: #56606b; font-size: 13px; margin-top: 4px; }
      .charts { display: flex; flex-wrap: wrap; gap: 12px 18px; }
      .charts figure { flex: 0 1 580px; margin: 4px 0; }
      .note { background: #fff8e1; border-left: 4px solid #f0b400; padding: 8px 12px; margin: 8px 0;
              font-size: 14px; }
      .error { background: #fdecea; border-left: 4px solid #d93025; padding: 8px 12px; margin: 8px 0;
               font-size: 14px; }
      footer { color: #7a838c; font-size: 12.5px; margin-top: 24px; }
      """;

  private final String title;
  private final StringBuilder body = new StringBuilder();
  private final List<String[]> toc = new ArrayList<>();
  private String header = "";
  private String footer = "";
  private boolean inCharts;
  private boolean inColumns;

  HtmlPage(String title) {
    this.title = title;
  }

  static String escape(String text) {
    StringBuilder sb = new StringBuilder(text.length());
    for (char c : text.toCharArray()) {
      switch (c) {
        case '&' -> sb.append("&amp;");
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '"' -> sb.append("&quot;");
        case '\'' -> sb.append("&#39;");
        default -> sb.append(c);
      }
    }
    return sb.toString();
  }

  /** The page heading and one line under it, shown above the table of contents. */
  void header(String heading, String subtitle) {
    header = "<h1>" + escape(heading) + "</h1>\n"
        + (subtitle == null || subtitle.isEmpty() ? "" : "<p class=\"subtitle\">" + escape(subtitle) + "</p>\n");
  }

  void footer(String text) {
    footer = "<footer>" + escape(text) + "</footer>\n";
  }

  void openSection(String id, String heading) {
    toc.add(new String[] {id, heading});
    body.append("<section id=\"").append(escape(id)).append("\">\n<h2>").append(escape(heading)).append("</h2>\n");
  }

  /** Ends the section, closing whatever a failed renderer left open. */
  void closeSection() {
    endColumns();
    body.append("</section>\n");
  }

  void subheading(String text) {
    closeCharts();
    body.append("<h3>").append(escape(text)).append("</h3>\n");
  }

  void paragraph(String text) {
    closeCharts();
    body.append("<p>").append(escape(text)).append("</p>\n");
  }

  /** A paragraph whose spans in `backticks` are shown as code. */
  void paragraphWithCode(String text) {
    closeCharts();
    body.append("<p>").append(withCode(text)).append("</p>\n");
  }

  /** Something missing or skipped, said plainly; `backticks` become code. */
  void note(String text) {
    closeCharts();
    body.append("<div class=\"note\">").append(withCode(text)).append("</div>\n");
  }

  void error(String text) {
    closeCharts();
    body.append("<div class=\"error\">").append(withCode(text)).append("</div>\n");
  }

  void pre(String text) {
    closeCharts();
    body.append("<pre>").append(escape(text.stripTrailing())).append("</pre>\n");
  }

  /** Starts side-by-side columns (they stack on a narrow window); close with {@link #endColumns}. */
  void beginColumns() {
    closeCharts();
    body.append("<div class=\"cols\"><div>\n");
    inColumns = true;
  }

  void nextColumn() {
    closeCharts();
    body.append("</div><div>\n");
  }

  void endColumns() {
    closeCharts();
    if (inColumns) {
      body.append("</div></div>\n");
      inColumns = false;
    }
  }

  /** A table (no heading row if {@code headings} is empty); numeric cells are right-aligned. */
  void table(List<String> headings, List<List<String>> rows) {
    closeCharts();
    body.append("<table>\n");
    if (!headings.isEmpty()) {
      body.append("<tr>");
      for (String h : headings) {
        body.append("<th>").append(escape(h)).append("</th>");
      }
      body.append("</tr>\n");
    }
    for (List<String> row : rows) {
      body.append("<tr>");
      for (String cell : row) {
        body.append(isNumber(cell) ? "<td class=\"num\">" : "<td>").append(escape(cell)).append("</td>");
      }
      body.append("</tr>\n");
    }
    body.append("</table>\n");
  }

  /** An image figure at its natural size (scaled down to the page width if wider). */
  void figure(Figure figure, String caption) {
    closeCharts();
    appendFigure(figure, caption, false);
  }

  /** A chart; consecutive charts flow side by side. */
  void chart(Figure figure, String caption) {
    if (!inCharts) {
      body.append("<div class=\"charts\">\n");
      inCharts = true;
    }
    appendFigure(figure, caption, true);
  }

  private void appendFigure(Figure figure, String caption, boolean chart) {
    body.append("<figure><img").append(chart ? " class=\"chart\"" : "").append(" src=\"")
        .append(escape(figure.link())).append("\" width=\"").append(figure.width()).append("\" height=\"")
        .append(figure.height()).append("\" alt=\"").append(escape(caption == null ? figure.link() : caption))
        .append("\">");
    if (caption != null && !caption.isEmpty()) {
      body.append("<figcaption>").append(withCode(caption)).append("</figcaption>");
    }
    body.append("</figure>\n");
  }

  private void closeCharts() {
    if (inCharts) {
      body.append("</div>\n");
      inCharts = false;
    }
  }

  String render() {
    closeCharts();
    StringBuilder html = new StringBuilder();
    html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .append("<title>").append(escape(title)).append("</title>\n<style>\n").append(CSS).append("</style>\n")
        .append("</head>\n<body>\n<main>\n").append(header);
    if (!toc.isEmpty()) {
      html.append("<nav>");
      for (String[] entry : toc) {
        html.append("<a href=\"#").append(escape(entry[0])).append("\">").append(escape(entry[1])).append("</a>");
      }
      html.append("</nav>\n");
    }
    html.append(body).append(footer).append("</main>\n</body>\n</html>\n");
    return html.toString();
  }

  /** Escapes text and shows `quoted` spans as code. */
  private static String withCode(String text) {
    String[] parts = text.split("`", -1);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < parts.length; i++) {
      boolean code = i % 2 == 1 && i < parts.length - 1;
      sb.append(code ? "<code>" + escape(parts[i]) + "</code>" : (i % 2 == 1 ? "`" : "") + escape(parts[i]));
    }
    return sb.toString();
  }

  private static boolean isNumber(String cell) {
    try {
      Double.parseDouble(cell.replace(",", ""));
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
