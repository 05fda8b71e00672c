package org.diffusiondepot.report;

import java.io.IOException;

/** The samples figure of one kind of task, within section 6; {@link TaskSections} picks it. */
interface SamplePart {
  void render(ReportContext ctx, HtmlPage page) throws IOException;
}
