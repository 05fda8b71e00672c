package org.diffusiondepot.firststage;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.diffusiondepot.config.ConfigException;
import org.diffusiondepot.data.Batch;
import org.diffusiondepot.data.BatchLoader;
import org.diffusiondepot.events.EventWriter;
import org.diffusiondepot.image.ImageGrid;
import org.diffusiondepot.image.Pixels;
import org.diffusiondepot.proto.ExperimentConfig;
import org.diffusiondepot.proto.FirstStageConfig;
import org.diffusiondepot.proto.Task;
import org.diffusiondepot.proto.TrainConfig;
import org.diffusiondepot.run.RunDirectory;
import org.diffusiondepot.run.TrainingData;
import org.diffusiondepot.runtime.Tensors;
import org.diffusiondepot.train.BatchEncoder;
import org.diffusiondepot.train.IntervalMeans;
import org.diffusiondepot.train.NonFiniteLossException;
import org.diffusiondepot.train.TrainLoop;
import org.diffusiondepot.train.TrainingContext;
import org.diffusiondepot.train.TrainingModel;
import org.diffusiondepot.train.TrainingRequest;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * A VQGAN first stage in the {@link TrainLoop}: the autoencoder step (and the discriminator's once
 * it has started), code restarts, input/reconstruction previews, validation PSNR, and the latent
 * scale measured at the end ({@code RUN_DIR/latent_scale.txt}). Logs the losses, code usage, GAN
 * terms and learning rate to TensorBoard.
 * <p>
 * No EMA: as in Esser et al. and LDM, the first stage is used with its raw weights.
 * <p>
 * A step runs on the layout of {@code train.devices}, {@code train.accumulation_steps} and
 * {@code train.precision} (see {@link FirstStageTrainingGraph}); in fp16 a step whose gradients
 * overflow is skipped, which the loss scale absorbs, and {@code loss_scale} and
 * {@code skipped_steps} are logged.
 */
public final class FirstStageTraining implements TrainingModel {
  private final ExperimentConfig config;
  private final TrainConfig train;
  private final FirstStageSpec spec;
  private final FirstStageBatches batches;
  private final TrainingData data;
  private final PerceptualNetwork perceptual;
  private final PrintStream out;
  private final CodebookRestarts restarts;
  private final FirstStageTrainingGraph graph;
  /** Images shown as input/reconstruction pairs: the first sample_count validation images. */
  private final Batch previewImages;

  public FirstStageTraining(TrainingContext context) {
    this.config = context.config();
    if (config.getTask() != Task.FIRST_STAGE) {
      throw new ConfigException("task is " + config.getTask()
          + "; the first-stage trainer trains FIRST_STAGE (VQGAN) configs");
    }
    this.train = config.getTrain();
    this.spec = FirstStageSpec.fromConfig(config);
    this.batches = new FirstStageBatches(spec);
    this.data = context.data();
    this.out = context.out();
    this.restarts = new CodebookRestarts(spec.codebookSize(), spec.embeddingDim(),
        config.getFirstStage().getCodebookRestartEvery(), train.getSeed());
    this.perceptual = openPerceptual(config.getFirstStage());
    try {
      this.graph = new FirstStageTrainingGraph(config, perceptual);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
    int[] indices = data.split().validation().length > 0 ? data.split().validation() : data.split().train();
    this.previewImages = BatchLoader.load(data.dataset(), indices, 0, Math.min(indices.length, train.getSampleCount()));
  }

  /** Trains a FIRST_STAGE config. */
  public static void run(TrainingRequest request, PrintStream out) throws IOException {
    TrainLoop.run(request, FirstStageTraining::new, out);
  }

  /** The host-side encoder of training rows, for a worker that reads its own rows on a cluster. */
  public static BatchEncoder batches(TrainingContext context) {
    return FirstStageBatches.of(context);
  }

  /** The perceptual feature network, or null when the config leaves it out; fails before any work. */
  static PerceptualNetwork openPerceptual(FirstStageConfig f) {
    if (f.getPerceptualModel().isEmpty()) {
      return null;
    }
    return PerceptualNetwork.load(Path.of(f.getPerceptualModel()),
        f.getPerceptualWeight() > 0 ? f.getPerceptualWeight() : 1.0);
  }

  @Override
  public Graph graph() {
    return graph.graph;
  }

  @Override
  public String describe() {
    return String.format("%s: VQGAN f = %d, z %dx%dx%d, codebook %d; %,d parameters (autoencoder + codebook)%s",
        config.getName(), spec.factor(), spec.latentSize(), spec.latentSize(), spec.embeddingDim(),
        spec.codebookSize(), graph.parameterCount(), graph.discriminatorWeights == null ? ", no GAN"
            : String.format(" + %,d discriminator", graph.discriminatorWeights.parameterCount()));
  }

  @Override
  public ConfigProto sessionConfig() {
    return graph.layout.sessionConfig();
  }

  @Override
  public String layout() {
    return graph.layout.describe();
  }

  @Override
  public long globalStep(Session session) {
    return readStep(session, graph);
  }

  static long readStep(Session session, FirstStageTrainingGraph graph) {
    try (Result r = session.runner().fetch(graph.stepValue).run()) {
      return ((TInt64) r.get(0)).getLong();
    }
  }

  @Override
  public String progressText(IntervalMeans metrics) {
    return String.format(" loss %.4f ppl %.0f", metrics.mean("reconstruction_loss"), metrics.mean("perplexity"));
  }

  private boolean ganActive(long step) {
    return spec.usesGan() && step >= spec.discriminatorStart();
  }

  @Override
  public void trainStep(Session session, Batch batch, long step, double lr, IntervalMeans stats) {
    boolean gan = ganActive(step);
    List<Tensor> owned = new ArrayList<>();
    try {
      Tensor x = batches.encode(batch, step, graph.chiefFirstRow).get(0);
      Tensor rate = TFloat32.scalarOf((float) lr);
      owned.add(x);
      owned.add(rate);
      Session.Runner runner = session.runner().feed(graph.images, x).feed(graph.learningRate, rate)
          .addTarget(graph.autoencoderStep);
      List<String> tags = new ArrayList<>(List.of("reconstruction_loss", "codebook_loss", "commitment_loss",
          "perplexity", "codebook_usage", "gradient_norm"));
      runner.fetch(graph.reconstructionLoss).fetch(graph.codebookLoss).fetch(graph.commitmentLoss)
          .fetch(graph.perplexity).fetch(graph.codebookUsage).fetch(graph.gradientNorm);
      if (graph.perceptualLoss != null) {
        tags.add("perceptual_loss");
        runner.fetch(graph.perceptualLoss);
      }
      if (graph.ganActive != null) {
        Tensor active = TBool.scalarOf(gan);
        owned.add(active);
        runner.feed(graph.ganActive, active);
      }
      if (gan) {
        tags.addAll(List.of("generator_loss", "discriminator_loss", "adaptive_weight"));
        runner.addTarget(graph.discriminatorStep).fetch(graph.generatorLoss).fetch(graph.discriminatorLoss)
            .fetch(graph.adaptiveWeight);
      }
      boolean restart = restarts.dueAfter(step);
      int next = tags.size();
      if (restarts.enabled()) {
        // fetched every step, not only when due: one fetch set means one graph optimisation
        runner.fetch(graph.codeIndices).fetch(graph.preQuantized);
        next += 2;
      }
      if (graph.lossScale != null) {
        runner.fetch(graph.lossScale.value()).fetch(graph.lossScale.skipped());
      }
      float[] encoded = null;
      try (Result r = runner.run()) {
        float[] values = new float[tags.size()];
        int bad = -1;
        for (int i = 0; i < tags.size(); i++) {
          values[i] = ((TFloat32) r.get(i)).getFloat();
          if (bad < 0 && !Float.isFinite(values[i])) {
            bad = i;
          }
        }
        if (graph.lossScale != null) {
          // fp16: a step that overflows is skipped and halves the scale; only a scale driven below 1
          // means the loss itself has left the fp16 range for good
          float scale = ((TFloat32) r.get(next)).getFloat();
          stats.add("loss_scale", scale);
          stats.add("skipped_steps", ((TInt64) r.get(next + 1)).getLong());
          if (bad >= 0 && scale < 1) {
            throw new NonFiniteLossException(step, tags.get(bad) + " (loss scale " + scale + ")", values[bad]);
          }
        } else if (bad >= 0) {
          throw new NonFiniteLossException(step, tags.get(bad), values[bad]);
        }
        if (bad < 0) {
          for (int i = 0; i < tags.size(); i++) {
            stats.add(tags.get(i), values[i]);
          }
        }
        if (restarts.enabled()) {
          TInt32 codes = (TInt32) r.get(tags.size());
          int[] chosen = new int[(int) codes.size()];
          codes.copyTo(DataBuffers.of(chosen, false, false));
          restarts.observe(chosen);
          if (restart) {
            encoded = Tensors.floats((TFloat32) r.get(tags.size() + 1));
            // a skipped fp16 step left the weights as they were, so its encoder outputs still
            // describe them, unless they overflowed too: then the restart waits for its next turn
            if (!allFinite(encoded)) {
              encoded = null;
            }
          }
        }
      }
      if (encoded != null) {
        CodebookRestarts.Plan plan = restarts.plan(step, encoded);
        stats.add("restarted_codes", plan.indices().length);
        if (plan.indices().length > 0) {
          try (TInt32 indices = Tensors.of(plan.indices(), plan.indices().length);
              TFloat32 values = Tensors.of(plan.values(), plan.indices().length, spec.embeddingDim())) {
            session.runner().feed(graph.restartIndices, indices).feed(graph.restartValues, values)
                .addTarget(graph.restartCodes).run().close();
          }
        }
      }
    } finally {
      owned.forEach(Tensor::close);
    }
  }

  private static boolean allFinite(float[] values) {
    for (float v : values) {
      if (!Float.isFinite(v)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Reconstruction quality on the validation images: PSNR (dB), L1 and code usage, over up to
   * {@code train.validation_batches} batches in a fixed order, so values are comparable over time.
   */
  @Override
  public Map<String, Double> validate(Session session, long step) {
    int[] indices = data.split().validation();
    if (indices.length == 0) {
      return Map.of();
    }
    ReconstructionReport report = ReconstructionReport.measure(session, graph, data.dataset(), indices,
        train.getBatchSize(), train.getValidationBatches());
    Map<String, Double> scores = new LinkedHashMap<>();
    scores.put("psnr", report.psnr());
    scores.put("reconstruction_loss", report.l1());
    scores.put("perplexity", report.perplexity());
    scores.put("codebook_usage", report.usage());
    return scores;
  }

  @Override
  public String lossMetric() {
    return "reconstruction_loss";
  }

  /** Input | reconstruction pairs: one forward pass, too short to check for a stop. */
  @Override
  public Preview preview(Session session, long step, java.util.function.BooleanSupplier stopRequested) {
    Batch batch = previewImages;
    int size = spec.imageSize();
    int channels = spec.imageChannels();
    float[] reconstruction;
    try (TFloat32 x = Tensors.of(batch.images(), batch.size(), size, size, channels);
        Result r = graph.evaluate(session, x)) {
      reconstruction = Tensors.floats((TFloat32) r.get(0));
    }
    List<BufferedImage> tiles = new ArrayList<>();
    for (int i = 0; i < batch.size(); i++) {
      tiles.add(Pixels.toImage(batch.images(), i, size, channels));
      tiles.add(Pixels.toImage(reconstruction, i, size, channels));
    }
    int pairsPerRow = (int) Math.ceil(Math.sqrt(batch.size()));
    BufferedImage grid = ImageGrid.of(tiles, 2 * pairsPerRow);
    return new Preview("reconstructions/input_reconstruction", grid);
  }

  /** Measures the latent scale when the run has trained, or when it has none yet. */
  @Override
  public void finish(Session session, long step, boolean trained, RunDirectory run, EventWriter events)
      throws IOException {
    if (!trained && LatentScale.exists(run.root())) {
      return;
    }
    double scale = LatentScale.measure(session, graph, data.dataset(), data.split().train(), train.getBatchSize());
    LatentScale.write(run.root(), scale);
    events.scalar("latent/scale", step, scale);
    out.printf("latent scale %.5f (1 / std of the quantised latents) written to %s%n", scale,
        run.root().resolve(LatentScale.FILE));
  }

  @Override
  public void close() {
    if (perceptual != null) {
      perceptual.close();
    }
  }
}
