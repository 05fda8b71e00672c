package org.diffusiondepot.report;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The sampler sweep of {@code depot eval --sweep} (entries sweep_SAMPLER_STEPS_swd, _accuracy and
 * _evaluations of metrics.json) as figures: SWD, and class accuracy when measured, against the
 * number of network evaluations per sample, one curve per sampler. Evaluations, not steps, are
 * the x axis because they are the cost: Heun's K steps make 2K - 1 of them.
 */
final class SamplerSweepFigures {
  private static final Pattern ENTRY = Pattern.compile("sweep_([^_]+)_(\\d+)_(swd|accuracy)");

  private SamplerSweepFigures() {}

  /** sampler -> (evaluations -> value) for one measure ("swd" or "accuracy"), in the file's order. */
  static Map<String, TreeMap<Double, Double>> curves(Map<String, Object> metrics, String measure) {
    Map<String, TreeMap<Double, Double>> curves = new LinkedHashMap<>();
    metrics.forEach((name, value) -> {
      Matcher m = ENTRY.matcher(name);
      if (!m.matches() || !m.group(3).equals(measure) || !(value instanceof Number number)) {
        return;
      }
      Object evaluations = metrics.get("sweep_" + m.group(1) + "_" + m.group(2) + "_evaluations");
      double x = evaluations instanceof Number e ? e.doubleValue() : Double.parseDouble(m.group(2));
      curves.computeIfAbsent(m.group(1), k -> new TreeMap<>()).put(x, number.doubleValue());
    });
    return curves;
  }

  /** Draws the sweep's figures if {@code metrics} holds one; {@code file} names their PNGs. */
  static void render(Map<String, Object> metrics, String file, ReportContext ctx, HtmlPage page) throws IOException {
    chart(curves(metrics, "swd"), file + "-sweep-swd", "Samplers: SWD against cost", "SWD x1e3 (lower is better)",
        "SWD of each sampler's samples to the held-out images at 5 to 100 steps (one seed for all). Heun makes "
            + "two network evaluations a step, DPM-Solver++ merges grid points that fall on one timestep.",
        ctx, page);
    chart(curves(metrics, "accuracy"), file + "-sweep-accuracy", "Samplers: class accuracy against cost",
        "class accuracy (higher is better)", "The project's classifier on the same samples: the fraction "
            + "recognised as the class they were generated for.", ctx, page);
  }

  private static void chart(Map<String, TreeMap<Double, Double>> curves, String name, String title, String yTitle,
      String caption, ReportContext ctx, HtmlPage page) throws IOException {
    if (curves.isEmpty()) {
      return;
    }
    XYChart chart = Charts.line(title, "network evaluations per sample (log)", yTitle, false);
    chart.getStyler().setXAxisLogarithmic(true);
    curves.forEach((sampler, points) -> {
      XYSeries series = chart.addSeries(sampler, points.keySet().stream().mapToDouble(Double::doubleValue).toArray(),
          points.values().stream().mapToDouble(Double::doubleValue).toArray());
      series.setMarker(SeriesMarkers.CIRCLE);
      series.setLineWidth(1.8f);
    });
    page.chart(ctx.figures.chart(name, chart), caption);
  }
}
