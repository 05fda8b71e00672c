package org.diffusiondepot.report;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.diffusiondepot.data.Batch;
import org.diffusiondepot.schedule.NoiseSchedule;

/** Section 3: real images pushed through q(x_t | x_0) at a few timesteps. */
final class ForwardProcessSection implements Section {
  static final int IMAGES = 4;

  @Override
  public String id() {
    return "forward";
  }

  @Override
  public String title() {
    return "Forward process";
  }

  @Override
  public void render(ReportContext ctx, HtmlPage page) throws IOException {
    ExampleImages examples = ctx.examples();
    if (examples.note() != null) {
      page.note(examples.note());
    }
    if (ctx.task() != null && TaskSampling.latent(ctx.task())) {
      page.note("This model diffuses latents of its first stage, not pixels; the strip applies the same "
          + "schedule to images to show how fast it destroys them.");
    }
    NoiseSchedule schedule = ctx.schedule();
    int[] timesteps = ForwardProcess.timesteps(schedule.timesteps());
    int count = Math.min(IMAGES, ctx.options.samples());
    Batch batch = examples.training(count);
    int size = batch.resolution();
    int channels = batch.channels();
    int values = size * size * channels;
    Random random = new Random(ctx.options.seed());
    LabeledGrid grid = new LabeledGrid(Arrays.stream(timesteps).mapToObj(t -> "t = " + t).toList());
    for (int i = 0; i < batch.size(); i++) {
      float[] x0 = Arrays.copyOfRange(batch.images(), i * values, (i + 1) * values);
      List<BufferedImage> tiles = new ArrayList<>();
      for (float[] xt : ForwardProcess.strip(schedule, x0, timesteps, random)) {
        tiles.add(LabeledGrid.tile(xt, 0, size, channels));
      }
      grid.row("", tiles);
    }
    page.figure(ctx.figures.image("forward-process", grid.render()), String.format(Locale.ROOT,
        "%d training images (%s) noised with q(x_t | x_0) = N(sqrt(abar_t) x_0, (1 - abar_t) I) under this "
        + "model's schedule; t = 0 is the image itself. Values outside [-1, 1] are clipped for display.",
        batch.size(), examples.description()));
    List<List<String>> rows = new ArrayList<>();
    for (int t : timesteps) {
      rows.add(List.of(String.valueOf(t), t == 0 ? "1" : fmt(schedule.sqrtAlphaCumprod(t)),
          t == 0 ? "0" : fmt(schedule.sqrtOneMinusAlphaCumprod(t))));
    }
    page.table(List.of("t", "signal scale sqrt(abar_t)", "noise scale sqrt(1 - abar_t)"), rows);
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.4f", v);
  }
}
