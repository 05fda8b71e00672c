package org.diffusiondepot.report;

import java.nio.file.Path;

/**
 * Builds a report by hand while developing (the CLI wires ReportBuilder for users):
 * {@code java -cp ... org.diffusiondepot.report.ReportRunner RUN_DIR|- EXPORT_DIR|- OUT_DIR [samples steps seed]}.
 */
public final class ReportRunner {
  private ReportRunner() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 3) {
      System.err.println("usage: ReportRunner RUN_DIR|- EXPORT_DIR|- OUT_DIR [samples steps seed]");
      System.exit(2);
    }
    ReportOptions options = ReportOptions.defaults();
    if (args.length >= 6) {
      options = new ReportOptions(Integer.parseInt(args[3]), Integer.parseInt(args[4]), Long.parseLong(args[5]), null);
    }
    ReportBuilder.build(path(args[0]), path(args[1]), Path.of(args[2]), System.out, options);
  }

  private static Path path(String arg) {
    return "-".equals(arg) ? null : Path.of(arg);
  }
}
