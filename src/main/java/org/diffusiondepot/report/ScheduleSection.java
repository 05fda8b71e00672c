package org.diffusiondepot.report;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntToDoubleFunction;
import org.diffusiondepot.proto.BetaSchedule;
import org.diffusiondepot.proto.DiffusionConfig;
import org.diffusiondepot.proto.VarianceType;
import org.diffusiondepot.schedule.NoiseSchedule;
import org.knowm.xchart.XYChart;

/**
 * Section 2: the linear and cosine schedules side by side (the model's own drawn thick), and the
 * two reverse-variance choices of its schedule, all computed by {@link NoiseSchedule}.
 */
final class ScheduleSection implements Section {
  @Override
  public String id() {
    return "schedules";
  }

  @Override
  public String title() {
    return "Noise schedules";
  }

  @Override
  public void render(ReportContext ctx, HtmlPage page) throws IOException {
    DiffusionConfig d = ctx.diffusion();
    int steps = d.getTimesteps();
    BetaSchedule own = d.getBetaSchedule();
    VarianceType variance = d.getVariance() == VarianceType.TRUE ? VarianceType.TRUE : VarianceType.SAME;
    // The other family with its usual parameters when the model's config does not carry them.
    double betaStart = d.getBetaStart() > 0 ? d.getBetaStart() : 1e-4;
    double betaEnd = d.getBetaEnd() > 0 ? d.getBetaEnd() : 0.02;
    double offset = d.getCosineOffset() > 0 ? d.getCosineOffset() : 0.008;
    double maxBeta = d.getMaxBeta() > 0 ? d.getMaxBeta() : 0.999;
    NoiseSchedule linear = NoiseSchedule.of(NoiseSchedule.linearBetas(steps, betaStart, betaEnd), variance);
    NoiseSchedule cosine = NoiseSchedule.of(NoiseSchedule.cosineBetas(steps, offset, maxBeta), variance);
    NoiseSchedule mine = own == BetaSchedule.COSINE ? cosine : linear;
    String linearName = "linear " + Numbers.exact(betaStart) + ".." + Numbers.exact(betaEnd)
        + (own == BetaSchedule.LINEAR ? " (this model)" : "");
    String cosineName = "cosine s=" + Numbers.exact(offset)
        + (own == BetaSchedule.COSINE ? " (this model)" : "");

    page.paragraph(String.format(Locale.ROOT, "This model: %s betas, T = %d, reverse variance %s (%s). "
        + "Thick solid lines are this model's schedule; dashed lines the other family for comparison.",
        own, steps, variance, variance == VarianceType.TRUE ? "posterior variance, \"fixed small\""
            : "sigma_t^2 = beta_t, \"fixed large\""));

    double[] t = range(0, steps);
    XYChart abar = Charts.line("alphas_cumprod (signal kept at step t)", "t", "abar_t", false);
    Charts.curve(abar, linearName, t, values(linear::alphaCumprod, 0, steps), own == BetaSchedule.LINEAR);
    Charts.curve(abar, cosineName, t, values(cosine::alphaCumprod, 0, steps), own == BetaSchedule.COSINE);
    page.chart(ctx.figures.chart("schedule-alphas-cumprod", abar),
        "abar_t = prod(1 - beta_s, s <= t): the share of the data's variance left at step t.");

    XYChart snr = Charts.line("Signal-to-noise ratio", "t", "SNR = abar / (1 - abar)", true);
    addPositive(snr, linearName, linear::signalToNoise, steps, own == BetaSchedule.LINEAR);
    addPositive(snr, cosineName, cosine::signalToNoise, steps, own == BetaSchedule.COSINE);
    page.chart(ctx.figures.chart("schedule-snr", snr), "SNR(t), log scale: the cosine schedule destroys "
        + "information more evenly over t; the linear one is nearly pure noise for much of the late chain.");

    XYChart betas = Charts.line("beta_t", "t", "beta_t", true);
    addPositive(betas, linearName, linear::beta, steps, own == BetaSchedule.LINEAR);
    addPositive(betas, cosineName, cosine::beta, steps, own == BetaSchedule.COSINE);
    page.chart(ctx.figures.chart("schedule-betas", betas), "The per-step noise beta_t of both families, log scale.");

    // From t = 1 on a log t axis: the posterior variance is exactly 0 at t = 0, and the two
    // choices differ only over the first steps, which a linear t axis squeezes into a few pixels.
    XYChart var = Charts.line("Reverse variance choices (" + own.toString().toLowerCase(Locale.ROOT) + " schedule)",
        "t (log)", "sigma_t^2", true);
    var.getStyler().setXAxisLogarithmic(true);
    addPositive(var, "beta_t (SAME)" + (variance == VarianceType.SAME ? " (this model)" : ""),
        mine::beta, steps, variance == VarianceType.SAME, 1);
    addPositive(var, "posterior beta~_t (TRUE)" + (variance == VarianceType.TRUE ? " (this model)" : ""),
        mine::posteriorVariance, steps, variance == VarianceType.TRUE, 1);
    page.chart(ctx.figures.chart("schedule-variance", var), "sigma_t^2 of the reverse step, log-log: beta_t "
        + "(\"fixed large\") and the posterior variance beta~_t = beta_t (1 - abar_{t-1}) / (1 - abar_t) "
        + "(\"fixed small\") meet after the first steps.");

    List<List<String>> rows = new ArrayList<>();
    for (int step : ForwardProcess.timesteps(steps)) {
      rows.add(List.of(String.valueOf(step), fmt(linear.alphaCumprod(step)), fmt(cosine.alphaCumprod(step)),
          fmt(linear.signalToNoise(step)), fmt(cosine.signalToNoise(step))));
    }
    page.subheading("Values at the forward-process steps");
    page.table(List.of("t", "abar_t linear", "abar_t cosine", "SNR linear", "SNR cosine"), rows);
  }

  private static void addPositive(XYChart chart, String name, IntToDoubleFunction f, int steps, boolean emphasis) {
    addPositive(chart, name, f, steps, emphasis, 0);
  }

  /** A log-scale curve from {@code from}, leaving out values a log axis cannot show. */
  private static void addPositive(XYChart chart, String name, IntToDoubleFunction f, int steps, boolean emphasis,
      int from) {
    List<double[]> points = new ArrayList<>();
    for (int t = from; t < steps; t++) {
      double v = f.applyAsDouble(t);
      if (v > 0 && Double.isFinite(v)) {
        points.add(new double[] {t, v});
      }
    }
    double[] x = points.stream().mapToDouble(p -> p[0]).toArray();
    double[] y = points.stream().mapToDouble(p -> p[1]).toArray();
    Charts.curve(chart, name, x, y, emphasis);
  }

  private static double[] range(int from, int to) {
    double[] out = new double[to - from];
    for (int i = 0; i < out.length; i++) {
      out[i] = from + i;
    }
    return out;
  }

  private static double[] values(IntToDoubleFunction f, int from, int to) {
    double[] out = new double[to - from];
    for (int i = 0; i < out.length; i++) {
      out[i] = f.applyAsDouble(from + i);
    }
    return out;
  }

  private static String fmt(double v) {
    return Numbers.brief(v);
  }
}
