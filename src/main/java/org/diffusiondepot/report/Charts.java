package org.diffusiondepot.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import org.diffusiondepot.events.ScalarPoint;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** XChart line charts in one house style, sized for two per row of the page. */
final class Charts {
  static final int WIDTH = 580;
  static final int HEIGHT = 380;
  /** Colour-blind safe (Okabe-Ito), in the order series are added. */
  static final Color[] PALETTE = {new Color(0x0072B2), new Color(0xD55E00), new Color(0x009E73),
      new Color(0xCC79A7), new Color(0xE69F00), new Color(0x56B4E9), new Color(0x000000)};

  private Charts() {}

  static XYChart line(String title, String xTitle, String yTitle, boolean logY) {
    XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xTitle)
        .yAxisTitle(yTitle).build();
    var s = chart.getStyler();
    s.setChartBackgroundColor(Color.WHITE);
    s.setPlotBackgroundColor(Color.WHITE);
    s.setPlotBorderVisible(true);
    s.setPlotBorderColor(new Color(0xBBBBBB));
    s.setPlotGridLinesColor(new Color(0xE3E3E3));
    s.setPlotGridLinesStroke(new BasicStroke(1f));
    s.setChartTitleBoxVisible(false);
    s.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
    s.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    s.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    s.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    s.setLegendPosition(Styler.LegendPosition.OutsideS);
    s.setLegendLayout(Styler.LegendLayout.Horizontal);
    s.setLegendBorderColor(new Color(0xCCCCCC));
    s.setSeriesColors(PALETTE);
    s.setLocale(Locale.ROOT);
    s.setYAxisLogarithmic(logY);
    s.setMarkerSize(5);
    return chart;
  }

  /**
   * Last touches before rendering, which depend on the data: XChart puts the x ticks on the data
   * points when these are equally spaced (every t, or a step logged every N steps) and then
   * crowds the labels into each other; one hidden point off the grid gives it ordinary round
   * ticks. A log axis spanning a few decades is widened to whole decades, so it is labelled.
   */
  static void finish(XYChart chart) {
    TreeSet<Double> xs = new TreeSet<>();
    double minY = Double.POSITIVE_INFINITY;
    double maxY = Double.NEGATIVE_INFINITY;
    double firstY = Double.NaN;
    for (XYSeries series : chart.getSeriesMap().values()) {
      for (double x : series.getXData()) {
        xs.add(x);
      }
      for (double y : series.getYData()) {
        minY = Math.min(minY, y);
        maxY = Math.max(maxY, y);
        if (Double.isNaN(firstY)) {
          firstY = y;
        }
      }
    }
    if (xs.size() > 12 && equallySpaced(xs)) {
      double x = xs.first() + (xs.higher(xs.first()) - xs.first()) / 2;
      XYSeries hidden = chart.addSeries(" ", new double[] {x}, new double[] {firstY});
      hidden.setShowInLegend(false);
      hidden.setMarker(SeriesMarkers.NONE);
      hidden.setLineStyle(SeriesLines.NONE);
    }
    if (chart.getStyler().isYAxisLogarithmic() && minY > 0 && Double.isFinite(maxY)) {
      // Whole decades, so that a curve spanning one or two still gets labelled ticks.
      double lo = Math.pow(10, Math.floor(Math.log10(minY)));
      double hi = Math.pow(10, Math.ceil(Math.log10(maxY)));
      if (hi <= lo) {
        hi = lo * 10;
      }
      if (hi / lo <= 1e3 * 1.0001) {
        chart.getStyler().setYAxisMin(lo);
        chart.getStyler().setYAxisMax(hi);
      }
      if (hi / lo <= 10 * 1.0001) {
        chart.getStyler().setYAxisLogarithmicDecadeOnly(false);
      }
    }
  }

  private static boolean equallySpaced(TreeSet<Double> xs) {
    Double previous = null;
    double spacing = Double.NaN;
    for (double x : xs) {
      if (previous != null) {
        double gap = x - previous;
        if (Double.isNaN(spacing)) {
          spacing = gap;
        } else if (Math.abs(gap - spacing) > 1e-9 * Math.max(1, Math.abs(spacing))) {
          return false;
        }
      }
      previous = x;
    }
    return true;
  }


  /** A curve; {@code emphasis} draws it thick and solid, otherwise thin and dashed. */
  static XYSeries curve(XYChart chart, String name, double[] x, double[] y, boolean emphasis) {
    XYSeries series = chart.addSeries(name, x, y);
    series.setMarker(SeriesMarkers.NONE);
    series.setLineWidth(emphasis ? 3.2f : 1.6f);
    series.setLineStyle(emphasis ? SeriesLines.SOLID : SeriesLines.DASH_DASH);
    return series;
  }

  /**
   * Scalars logged during training; a series of few points gets markers so that a single
   * validation value is still visible. Non-positive values are dropped on a log axis.
   */
  static XYSeries scalars(XYChart chart, String name, List<ScalarPoint> points, boolean logY) {
    List<ScalarPoint> kept = points.stream()
        .filter(p -> Double.isFinite(p.value()) && (!logY || p.value() > 0)).toList();
    double[] x = new double[kept.size()];
    double[] y = new double[kept.size()];
    for (int i = 0; i < x.length; i++) {
      x[i] = kept.get(i).step();
      y[i] = kept.get(i).value();
    }
    XYSeries series = chart.addSeries(name, x, y);
    series.setLineWidth(1.8f);
    series.setLineStyle(SeriesLines.SOLID);
    series.setMarker(kept.size() <= 20 ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
    return series;
  }

  /** True when a series would have something to draw on this axis. */
  static boolean hasPoints(List<ScalarPoint> points, boolean logY) {
    return points != null && points.stream().anyMatch(p -> Double.isFinite(p.value()) && (!logY || p.value() > 0));
  }
}
