package org.diffusiondepot.report;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.diffusiondepot.events.EventReader;
import org.diffusiondepot.events.ScalarPoint;
import org.knowm.xchart.XYChart;

/** Section 5: the run's TensorBoard scalars as charts; tags the run did not log are listed, not drawn. */
final class TrainingCurvesSection implements Section {
  /** One chart: its file, title, y axis, scale, and the tags it draws with their legend names. */
  private record Chart(String file, String title, String yTitle, boolean logY, Map<String, String> series,
      String caption) {}

  @Override
  public String id() {
    return "training";
  }

  @Override
  public String title() {
    return "Training curves";
  }

  @Override
  public void render(ReportContext ctx, HtmlPage page) throws IOException {
    if (!ctx.hasRun()) {
      page.note("Training curves come from a run's TensorBoard events; no run directory was given.");
      return;
    }
    Map<String, List<ScalarPoint>> scalars = EventReader.scalars(ctx.runDir);
    if (scalars.isEmpty()) {
      page.note("No TensorBoard scalars in `" + ctx.runDir + "` (no event files, or none with scalars yet).");
      return;
    }
    ctx.progress("training curves: %d scalar tags", scalars.size());
    List<String> missing = new ArrayList<>();
    for (Chart chart : charts(ctx.schedule().timesteps())) {
      Map<String, List<ScalarPoint>> present = new LinkedHashMap<>();
      chart.series().forEach((tag, name) -> {
        if (Charts.hasPoints(scalars.get(tag), chart.logY())) {
          present.put(name, scalars.get(tag));
        } else {
          missing.add(tag);
        }
      });
      if (present.isEmpty()) {
        continue;
      }
      XYChart xy = Charts.line(chart.title(), "step", chart.yTitle(), chart.logY());
      if (!chart.logY()) {
        xy.getStyler().setYAxisDecimalPattern("0.0##E0");  // learning rates span 1e-10 to 1e-3
      }
      present.forEach((name, points) -> Charts.scalars(xy, name, points, chart.logY()));
      xy.getStyler().setLegendVisible(present.size() > 1);
      page.chart(ctx.figures.chart(chart.file(), xy), chart.caption());
    }
    if (!missing.isEmpty()) {
      page.note("Not in this run's events (not logged yet, or by an older version): " + String.join(", ", missing)
          + ".");
    }
    page.subheading("Last values");
    page.table(List.of("tag", "last step", "last value", "minimum"), lastValues(scalars));
  }

  private static List<Chart> charts(int timesteps) {
    Map<String, String> quarters = new LinkedHashMap<>();
    Map<String, String> validation = new LinkedHashMap<>();
    validation.put("validation/loss", "all t");
    for (int q = 0; q < 4; q++) {
      String range = String.format(Locale.ROOT, "t %d-%d", q * timesteps / 4, (q + 1) * timesteps / 4 - 1);
      quarters.put("train/loss_t_quarter" + q, range);
      validation.put("validation/loss_t_quarter" + q, range);
    }
    return List.of(
        new Chart("train-loss", "Training loss", "loss (log)", true, Map.of("train/loss", "train/loss"),
            "train/loss: mean noise-prediction MSE per logging interval."),
        new Chart("train-loss-quarters", "Training loss by quarter of t", "loss (log)", true, quarters,
            "train/loss_t_quarter0..3: the noise-prediction loss is usually highest at small t, where the noise "
                + "is faint."),
        new Chart("learning-rate", "Learning rate", "learning rate", false,
            Map.of("train/learning_rate", "train/learning_rate"),
            "train/learning_rate: warm-up, then cosine annealing with the configured restarts."),
        new Chart("validation-loss", "Validation loss", "loss (log)", true, validation,
            "validation/loss and its quarters: fixed images, t and noise, so values are comparable over time."),
        new Chart("gradient-norm", "Gradient norm", "global norm (log)", true,
            Map.of("train/gradient_norm", "train/gradient_norm"),
            "train/gradient_norm before clipping, mean per logging interval."));
  }

  private static List<List<String>> lastValues(Map<String, List<ScalarPoint>> scalars) {
    List<List<String>> rows = new ArrayList<>();
    scalars.forEach((tag, points) -> {
      if (points.isEmpty()) {
        return;
      }
      ScalarPoint last = points.get(points.size() - 1);
      double min = points.stream().mapToDouble(ScalarPoint::value).min().orElse(Double.NaN);
      rows.add(List.of(tag, String.valueOf(last.step()), fmt(last.value()), fmt(min)));
    });
    return rows;
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.5g", v);
  }
}
