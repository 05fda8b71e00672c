package org.diffusiondepot.report;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.diffusiondepot.proto.ModelCard;
import org.diffusiondepot.sampler.DepotModel;
import org.diffusiondepot.sampler.Sampling;
import org.diffusiondepot.task.DiffusionTask;

/** Section 4: a few DDIM chains of the export, x_t and the predicted x_0 at points along the way. */
final class ReverseProcessSection implements Section {
  static final int CHAINS = 4;
  static final int CHAIN_STEPS = 100;
  static final int POINTS = 8;

  @Override
  public String id() {
    return "reverse";
  }

  @Override
  public String title() {
    return "Reverse process";
  }

  @Override
  public void render(ReportContext ctx, HtmlPage page) throws IOException {
    if (!ctx.hasExport()) {
      page.note("The reverse process needs an export to sample from; none was given.");
      return;
    }
    ModelCard card = ctx.card;
    String unsupported = TaskSampling.unsupported(card, ctx.task());
    if (unsupported != null) {
      page.note("Skipped: " + unsupported + ".");
      return;
    }
    if (TaskSampling.latent(ctx.task())) {
      page.note("Skipped: this model denoises " + card.getModelChannels() + "x" + card.getModelSize() + "x"
          + card.getModelSize() + " latents of its first stage, so x_t and the predicted x_0 along the chain "
          + "are latents, not pictures. The samples below show the decoded results.");
      return;
    }
    DepotModel model = ctx.model();
    DiffusionTask task = model.task();
    int count = Math.min(CHAINS, ctx.options.samples());
    int steps = Math.min(CHAIN_STEPS, card.getDiffusion().getTimesteps());
    int size = task.modelSize();
    int channels = task.modelChannels();
    Sampling sampling = model.sampling().count(count).maxBatch(count).ddim(steps).eta(TaskSampling.ETA)
        .seed(ctx.options.seed());
    TaskSections.Chains conditioning = TaskSections.conditionChains(ctx, task, sampling, count);
    int[] positions = ChainRecorder.evenly(steps, POINTS);
    ChainRecorder chain = new ChainRecorder(positions, count, size * size * channels);
    ctx.progress("reverse process: %d chains of DDIM %d steps (eta %.0f)", count, steps, TaskSampling.ETA);
    long start = System.nanoTime();
    sampling.run(chain);
    ctx.progress("reverse process done in %.1f s", (System.nanoTime() - start) / 1e9);

    List<String> columns = Arrays.stream(chain.timesteps()).mapToObj(t -> "t = " + t).toList();
    LabeledGrid grid = new LabeledGrid(columns);
    for (int s = 0; s < count; s++) {
      List<BufferedImage> states = new ArrayList<>();
      List<BufferedImage> predictions = new ArrayList<>();
      for (int i = 0; i < positions.length; i++) {
        states.add(LabeledGrid.tile(chain.state(i), s, size, channels));
        predictions.add(LabeledGrid.tile(chain.prediction(i), s, size, channels));
      }
      grid.row("#" + (s + 1) + " x_t", states).row("#" + (s + 1) + " pred. x_0", predictions);
    }
    page.figure(ctx.figures.image("reverse-process", grid.render()), String.format(Locale.ROOT,
        "DDIM with %d steps and eta %.0f, seed %d. Column t: the state after the model's step from t (x_t row) "
        + "and its prediction of x_0 at that step (pred. x_0 row), at %d points of the chain.%s",
        steps, TaskSampling.ETA, ctx.options.seed(), positions.length, conditioning.caption()));
    if (conditioning.examplesNote() != null) {
      page.note(conditioning.examplesNote());
    }
  }
}
