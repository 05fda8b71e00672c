package org.diffusiondepot.eval;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import org.diffusiondepot.config.ConfigLoader;
import org.diffusiondepot.config.ConfigException;
import org.diffusiondepot.data.Batch;
import org.diffusiondepot.data.BatchLoader;
import org.diffusiondepot.events.EventWriter;
import org.diffusiondepot.proto.ExperimentConfig;
import org.diffusiondepot.proto.ModelCard;
import org.diffusiondepot.run.TrainingData;
import org.diffusiondepot.sampler.DepotModel;
import org.diffusiondepot.sampler.Sampling;
import org.diffusiondepot.task.Conditioning;
import org.diffusiondepot.task.DiffusionTask;

/**
 * {@code tools/depot eval}: the metrics that fit an export's task, on held-out images of its data
 * (the validation split of the run's config). Every score is reported with its sample count.
 * This class loads the export and the data, measures what all models share (the loss per quarter
 * of the timesteps), hands over to the task's own {@link TaskEvaluation} (picked by {@link
 * Evaluations}), and writes metrics.json and, with a run directory, TensorBoard scalars:
 * <ul>
 *   <li>unconditional: sliced Wasserstein distance between samples and held-out images, and
 *       FID/KID when the Inception graph is given ({@code UnconditionalEvaluation});</li>
 *   <li>class-conditional: per-class accuracy of the project's classifier at each guidance scale,
 *       and the distribution metrics at the last one ({@code ClassEvaluation});</li>
 *   <li>inpainting: PSNR/SSIM inside the hole against mean and blur fill ({@code InpaintingEvaluation});</li>
 *   <li>super-resolution: PSNR/SSIM against bicubic upscaling and the first stage's reconstruction
 *       ({@code SuperResolutionEvaluation}).</li>
 * </ul>
 */
public final class ModelEvaluation {
  /**
   * How evaluation samples: a sampler of the library, its steps, and DDIM's eta.
   *
   * @param steps steps of the chain (DDPM: the model's T, given as null)
   */
  public record Chain(Sampling.Method method, Integer steps, double eta) {
    /** Stochastic DDIM, as the training previews: briefly trained models give cleaner samples with it. */
    public static Chain ddim(int steps) {
      return new Chain(Sampling.Method.DDIM, steps, 1.0);
    }

    /** "DDIM 50 steps, eta 1", "DPM-Solver++(2M) SDE 20 steps", for printed headings. */
    public String describe() {
      String text = method.label() + (steps == null ? "" : " " + steps + " steps");
      // Both branches as strings: an int and a double in one conditional would both print as double ("1.0").
      return method == Sampling.Method.DDIM
          ? text + ", eta " + (eta == Math.rint(eta) ? String.valueOf((long) eta) : String.valueOf(eta)) : text;
    }
  }

  /**
   * @param chain how samples are drawn
   * @param data images to compare with: a folder or "builtin" (the validation split is used)
   * @param inception the Inception graph for FID/KID, or null to skip them
   * @param classifier a saved classifier, or null to train one (saved to EXPORT_DIR/classifier)
   * @param resamplings passes per reverse step of inpainting chains, or null for the export's config
   * @param sweep step counts of a {@link SamplerSweep} run instead of the task's metrics; empty: none
   */
  public record Options(int samples, Chain chain, long seed, String data, Path inception, Path classifier,
      List<Double> guidance, Path runDir, Integer resamplings, List<Integer> sweep) {
    /** DDIM with eta 1, no resampling override, no sweep: the task's metrics as the export's config samples. */
    public Options(int samples, int steps, long seed, String data, Path inception, Path classifier,
        List<Double> guidance, Path runDir) {
      this(samples, Chain.ddim(steps), seed, data, inception, classifier, guidance, runDir, null, List.of());
    }

    Options withData(String source) {
      return new Options(samples, chain, seed, source, inception, classifier, guidance, runDir, resamplings, sweep);
    }
  }

  /**
   * The images to hold the model out against: {@code --data} when given, otherwise those the card
   * says the run trained on, which must still be where they were.
   */
  static String dataSource(String given, ModelCard card, Path exportDir) {
    if (given != null) {
      return given;
    }
    String recorded = card.getTrainingData();
    if (recorded.isEmpty()) {
      throw new ConfigException(exportDir + " does not record the data it was trained on (exported before "
          + "cards held it); pass --data DIR|builtin");
    }
    if (!TrainingData.BUILTIN.equals(recorded) && !java.nio.file.Files.isDirectory(Path.of(recorded))) {
      throw new ConfigException(exportDir + " was trained on " + recorded + ", which is not here; pass --data DIR "
          + "with the same images");
    }
    return recorded;
  }

  /** Held-out images per network call of the timestep loss. */
  private static final int CHUNK = 16;
  /** Held-out images the timestep loss is measured on: a stable estimate at little cost. */
  private static final int LOSS_IMAGES = 64;

  private ModelEvaluation() {}

  public static MetricsReport run(Path exportDir, Options options, Path jsonOut, PrintStream out) throws IOException {
    try (DepotModel model = DepotModel.load(exportDir)) {
      ModelCard card = model.card();
      ExperimentConfig config = ConfigLoader.parse(card.getSourceConfig(),
          model.directory() + "/model_card.pbtxt source_config");
      boolean fromCard = options.data() == null;
      String source = dataSource(options.data(), card, exportDir);
      options = options.withData(source);
      TrainingData data = TrainingData.open(source, config);
      int[] heldOut = data.split().validation();
      int n = Math.min(options.samples(), heldOut.length);
      out.printf("evaluating %s (%s, step %d) on %d held-out images of %s (%s)%n", card.getName(), card.getTask(),
          card.getTrainedSteps(), n, source, fromCard ? "the data it was trained on, from its card" : "--data");
      Batch reference = BatchLoader.load(data.dataset(), heldOut, 0, n);
      MetricsReport report = new MetricsReport().text("model", card.getName()).text("task", card.getTask().name())
          .count("trained_steps", card.getTrainedSteps());
      EvaluationContext ctx = new EvaluationContext(model, config, options, data, reference, report, out);
      timestepLoss(ctx);
      if (options.sweep().isEmpty()) {
        Evaluations.of(model.task()).evaluate(ctx);
      } else {
        SamplerSweep.run(ctx, options.sweep());
      }
      Path json = jsonOut != null ? jsonOut : exportDir.resolve("metrics.json");
      report.write(json);
      out.println("metrics written to " + json);
      if (options.runDir() != null) {
        log(report, card.getTrainedSteps(), options.runDir());
        out.println("logged to TensorBoard under eval/ in " + options.runDir());
      }
      return report;
    }
  }

  /** The eps-prediction loss per quarter of the timesteps, with the task's held-out conditioning. */
  private static void timestepLoss(EvaluationContext ctx) {
    DiffusionTask task = ctx.task();
    int count = Math.min(ctx.reference().size(), LOSS_IMAGES);
    int per = task.modelSize() * task.modelSize() * task.modelChannels();
    double[] sums = new double[4];
    for (int start = 0; start < count; start += CHUNK) {
      int k = Math.min(CHUNK, count - start);
      Conditioning condition = ctx.heldOut(start, k);
      float[] x0 = task.target(ctx.images(start, k), k);
      double[] q = TimestepLoss.perQuarter(ctx.model(), ctx.model().schedule(), x0, k, per, condition,
          ctx.options().seed() + start);
      for (int i = 0; i < 4; i++) {
        sums[i] += q[i] * k;
      }
    }
    for (int i = 0; i < 4; i++) {
      ctx.report().put("loss_t_quarter" + i, sums[i] / count);
    }
    ctx.report().count("loss_samples", count);
    ctx.out().printf("eps-MSE per quarter of t (%d held-out images): %.4f %.4f %.4f %.4f%n", count,
        sums[0] / count, sums[1] / count, sums[2] / count, sums[3] / count);
  }

  /** Every metric (not the sample counts) as a TensorBoard scalar at the export's trained step. */
  private static void log(MetricsReport report, long step, Path runDir) throws IOException {
    try (EventWriter events = new EventWriter(runDir)) {
      for (var e : report.entries().entrySet()) {
        if (e.getValue() instanceof Number n && !e.getKey().endsWith("_samples")) {
          events.scalar("eval/" + e.getKey(), step, n.doubleValue());
        }
      }
    }
  }
}
