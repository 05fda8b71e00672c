package org.diffusiondepot.report;

import java.io.IOException;

/** One section of the page; it says itself, in a note, what it cannot show and why. */
interface Section {
  /** Anchor of the section in the page. */
  String id();

  String title();

  void render(ReportContext context, HtmlPage page) throws IOException;
}
