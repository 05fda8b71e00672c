package org.diffusiondepot.report;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Locale;

/** Numbers as the page shows them: no "1.0E-4", no "0.000100000". */
final class Numbers {
  private Numbers() {}

  /** Three significant digits, plain for ordinary magnitudes, else like 1.5e-10. */
  static String brief(double v) {
    if (v == 0) {
      return "0";
    }
    if (!Double.isFinite(v)) {
      return String.valueOf(v);
    }
    if (Math.abs(v) >= 1e-4 && Math.abs(v) < 1e7) {
      return new BigDecimal(v).round(new MathContext(3)).stripTrailingZeros().toPlainString();
    }
    return String.format(Locale.ROOT, "%.2e", v).replaceFirst("\\.?0+e", "e");
  }

  /** The value as written in a config or card: shortest exact decimal, plain for ordinary magnitudes. */
  static String exact(double v) {
    if (v == 0) {
      return "0";
    }
    if (!Double.isFinite(v)) {
      return String.valueOf(v);
    }
    BigDecimal d = BigDecimal.valueOf(v).stripTrailingZeros();
    return Math.abs(v) >= 1e-6 && Math.abs(v) < 1e15 ? d.toPlainString() : d.toString();
  }
}
