package org.diffusiondepot.eval;

import java.io.PrintStream;
import java.util.Arrays;
import org.diffusiondepot.data.Batch;
import org.diffusiondepot.proto.ExperimentConfig;
import org.diffusiondepot.run.TrainingData;
import org.diffusiondepot.sampler.DepotModel;
import org.diffusiondepot.sampler.Samples;
import org.diffusiondepot.sampler.Sampling;
import org.diffusiondepot.task.Conditioning;
import org.diffusiondepot.task.DiffusionTask;

/**
 * What every per-task evaluation works with: the export and its task, the held-out images, the
 * options, and where results go. Sampling settings (the options' chain, by default DDIM with eta 1,
 * and the options' seed) are set here once, so every suite samples alike.
 *
 * @param model the export being evaluated
 * @param config the export's source config (data split, inpainting mask range, ...)
 * @param data the data the model was trained on, opened as training opens it
 * @param reference the held-out images compared with: the first {@code samples} of the validation split
 * @param report where metrics are put
 * @param out where the printed lines go
 */
public record EvaluationContext(DepotModel model, ExperimentConfig config, ModelEvaluation.Options options,
    TrainingData data, Batch reference, MetricsReport report, PrintStream out) {
  /** The export's task: it draws, feeds and shows all conditioning. */
  public DiffusionTask task() {
    return model.task();
  }

  /** Values of one held-out image (pixels, not latents). */
  public int imageValues() {
    return task().imageSize() * task().imageSize() * task().imageChannels();
  }

  /** Held-out images {@code start .. start + k - 1}. */
  public float[] images(int start, int k) {
    return Arrays.copyOfRange(reference.images(), start * imageValues(), (start + k) * imageValues());
  }

  /** Held-out image {@code i} alone. */
  public float[] image(int i) {
    return images(i, 1);
  }

  /**
   * The conditioning of held-out images {@code start .. start + k - 1} as training would draw it
   * (true labels, masks and degradations seeded by the options' seed and the image's index), so
   * every suite and the timestep loss see the same masks and low-resolution images.
   */
  public Conditioning heldOut(int start, int k) {
    int[] labels = Arrays.copyOfRange(reference.labels(), start, start + k);
    return task().forHeldOut(images(start, k), labels, k, options.seed(), start);
  }

  /** A sampling request with the evaluation's settings and the options' seed. */
  public Sampling sampling(int count) {
    ModelEvaluation.Chain chain = options.chain();
    Sampling sampling = model.sampling().count(count).method(chain.method(), chain.steps()).eta(chain.eta())
        .seed(options.seed());
    return options.resamplings() == null ? sampling : sampling.resamplings(options.resamplings());
  }

  /** How the evaluation samples, for printed headings: "DDIM 50 steps, eta 1". */
  public String method() {
    return options.chain().describe();
  }

  /**
   * One sample for held-out image {@code i}, seeded by its index so that a rerun, or a run with more
   * images, gives the same sample for it.
   */
  public Sampling samplingFor(int i) {
    return sampling(1).seed(options.seed() + i);
  }

  /** {@code count} samples; {@code labels} and {@code guidance} for class-conditional models, else null. */
  public Samples generate(int count, int[] labels, Double guidance) {
    Sampling sampling = sampling(count);
    if (labels != null) {
      sampling.classLabels(labels);
    }
    if (guidance != null) {
      sampling.guidance(guidance);
    }
    return sampling.run();
  }
}
