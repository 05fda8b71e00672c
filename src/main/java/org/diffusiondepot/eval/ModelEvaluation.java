package org.diffusiondepot.eval;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.diffusiondepot.config.ConfigLoader;
import org.diffusiondepot.data.Batch;
import org.diffusiondepot.data.BatchLoader;
import org.diffusiondepot.events.EventWriter;
import org.diffusiondepot.proto.ExperimentConfig;
import org.diffusiondepot.proto.ModelCard;
import org.diffusiondepot.run.TrainingData;
import org.diffusiondepot.runtime.OptionException;
import org.diffusiondepot.sampler.DepotModel;
import org.diffusiondepot.sampler.LowResConditioning;
import org.diffusiondepot.sampler.Samples;
import org.diffusiondepot.task.Conditioning;
import org.diffusiondepot.task.Degradation;
import org.diffusiondepot.task.MaskGenerator;

/**
 * {@code tools/depot eval}: the metrics that fit an export's task, on held-out images of its data
 * (the validation split of the run's config). Every score is reported with its sample count.
 * <ul>
 *   <li>all models: loss per quarter of the timesteps;</li>
 *   <li>generative tasks: sliced Wasserstein distance between samples and held-out images, and
 *       FID/KID when the Inception graph is given;</li>
 *   <li>class-conditional: per-class accuracy of the project's classifier at each guidance scale;</li>
 *   <li>inpainting: PSNR/SSIM inside the hole against mean and blur fill;</li>
 *   <li>super-resolution: PSNR/SSIM against bicubic upscaling.</li>
 * </ul>
 */
public final class ModelEvaluation {
  /**
   * @param data images to compare with: a folder or "builtin" (the validation split is used)
   * @param inception the Inception graph for FID/KID, or null to skip them
   * @param classifier a saved classifier, or null to train one (saved to EXPORT_DIR/classifier)
   */
  public record Options(int samples, int steps, long seed, String data, Path inception, Path classifier,
      List<Double> guidance, Path runDir) {}

  private static final int CHUNK = 16;

  private final DepotModel model;
  private final ModelCard card;
  private final ExperimentConfig config;
  private final Options options;
  private final PrintStream out;
  private final MetricsReport report = new MetricsReport();

  private ModelEvaluation(DepotModel model, Options options, PrintStream out) {
    this.model = model;
    this.card = model.card();
    this.config = ConfigLoader.parse(card.getSourceConfig(), model.directory() + "/model_card.pbtxt source_config");
    this.options = options;
    this.out = out;
  }

  public static MetricsReport run(Path exportDir, Options options, Path jsonOut, PrintStream out) throws IOException {
    try (DepotModel model = DepotModel.load(exportDir)) {
      ModelEvaluation evaluation = new ModelEvaluation(model, options, out);
      evaluation.evaluate();
      Path json = jsonOut != null ? jsonOut : exportDir.resolve("metrics.json");
      evaluation.report.write(json);
      out.println("metrics written to " + json);
      if (options.runDir() != null) {
        try (EventWriter events = new EventWriter(options.runDir())) {
          for (var e : evaluation.report.entries().entrySet()) {
            if (e.getValue() instanceof Number n && !e.getKey().endsWith("_samples")) {
              events.scalar("eval/" + e.getKey(), evaluation.card.getTrainedSteps(), n.doubleValue());
            }
          }
        }
        out.println("logged to TensorBoard under eval/ in " + options.runDir());
      }
      return evaluation.report;
    }
  }

  private void evaluate() throws IOException {
    TrainingData data = TrainingData.open(options.data(), config);
    int[] heldOut = data.split().validation();
    int n = Math.min(options.samples(), heldOut.length);
    out.printf("evaluating %s (%s, step %d) on %d held-out images of %s%n", card.getName(), card.getTask(),
        card.getTrainedSteps(), n, options.data());
    Batch reference = BatchLoader.load(data.dataset(), heldOut, 0, n);
    report.text("model", card.getName()).text("task", card.getTask().name()).count("trained_steps", card.getTrainedSteps());
    timestepLoss(reference);
    switch (card.getTask()) {
      case UNCONDITIONAL -> distributionMetrics(generate(n, null, null), reference, "");
      case CLASS_CONDITIONAL -> classMetrics(data, reference);
      case INPAINTING -> inpaintingMetrics(reference);
      case SUPER_RESOLUTION -> superResolutionMetrics(reference);
      default -> throw new IllegalArgumentException("cannot evaluate a " + card.getTask() + " export with this command");
    }
  }

  private void timestepLoss(Batch reference) {
    int count = Math.min(reference.size(), 64);
    int size = card.getModelSize();
    int per = size * size * card.getModelChannels();
    double[] sums = new double[4];
    for (int start = 0; start < count; start += CHUNK) {
      int k = Math.min(CHUNK, count - start);
      float[] images = slice(reference.images(), start, k, card.getImageSize() * card.getImageSize() * card.getImageChannels());
      float[] x0 = model.task().target(images, k);
      Conditioning condition = validationCondition(reference, start, k, images);
      double[] q = TimestepLoss.perQuarter(model, model.schedule(), x0, k, per, condition, options.seed() + start);
      for (int i = 0; i < 4; i++) {
        sums[i] += q[i] * k;
      }
    }
    for (int i = 0; i < 4; i++) {
      report.put("loss_t_quarter" + i, sums[i] / count);
    }
    report.count("loss_samples", count);
    out.printf("eps-MSE per quarter of t (%d held-out images): %.4f %.4f %.4f %.4f%n", count,
        sums[0] / count, sums[1] / count, sums[2] / count, sums[3] / count);
  }

  /** Conditioning of held-out images as training would give it (true labels, seeded masks, degradation). */
  private Conditioning validationCondition(Batch reference, int start, int k, float[] images) {
    return model.task().forHeldOut(images, Arrays.copyOfRange(reference.labels(), start, start + k), k,
        options.seed(), start);
  }

  private Samples generate(int count, int[] labels, Double guidance) {
    var sampling = model.sampling().count(count).ddim(options.steps()).eta(1.0).seed(options.seed());
    if (labels != null) {
      sampling.classLabels(labels);
    }
    if (guidance != null) {
      sampling.guidance(guidance);
    }
    return sampling.run();
  }

  private void distributionMetrics(Samples samples, Batch reference, String suffix) throws IOException {
    int size = card.getImageSize();
    int channels = card.getImageChannels();
    double swd = SlicedWasserstein.standard().distance(samples.pixels(), samples.count(), reference.images(),
        reference.size(), size, channels);
    report.put("swd" + suffix, swd).count("swd" + suffix + "_samples", samples.count());
    String label = suffix.isEmpty() ? "" : " " + suffix.substring(1).replace("w", "guidance ");
    out.printf("SWD%s (x1e3, %d samples vs %d held-out images): %.2f%n", label, samples.count(), reference.size(), swd);
    if (options.inception() == null) {
      out.println(InceptionFeatures.skippedNote());
      return;
    }
    try (InceptionFeatures inception = InceptionFeatures.load(options.inception())) {
      double[][] generated = inception.features(samples.pixels(), samples.count(), size, channels);
      double[][] real = inception.features(reference.images(), reference.size(), size, channels);
      double fid = FrechetDistance.between(generated, real);
      var kid = KernelInceptionDistance.between(generated, real);
      report.put("fid" + suffix, fid).count("fid" + suffix + "_samples", samples.count())
          .put("kid" + suffix, kid.mean()).put("kid" + suffix + "_std", kid.std());
      out.printf("FID%s (%d samples vs %d images): %.2f; KID: %.4f +- %.4f%n", label, samples.count(), reference.size(),
          fid, kid.mean(), kid.std());
    }
  }

  private void classMetrics(TrainingData data, Batch reference) throws IOException {
    ShapeClassifier classifier = classifier(data);
    try (classifier) {
      List<String> names = card.getClassNamesList();
      int perClass = Math.max(1, options.samples() / names.size());
      int[] labels = new int[perClass * names.size()];
      for (int i = 0; i < labels.length; i++) {
        labels[i] = i % names.size();
      }
      double truth = classifier.accuracy(data.dataset(), data.split().validation());
      report.put("classifier_accuracy_real", truth).count("classifier_accuracy_real_samples",
          data.split().validation().length);
      out.printf("classifier accuracy on %d held-out real images: %.3f%n", data.split().validation().length, truth);
      List<Double> scales = options.guidance().isEmpty()
          ? (card.getClassifierFreeGuidance() ? List.of(0.0, 1.0, card.getGuidanceScale()) : List.of(1.0))
          : options.guidance();
      for (double w : scales) {
        Samples samples = generate(labels.length, labels, w);
        PerClassAccuracy accuracy = PerClassAccuracy.of(classifier.predict(samples.pixels(), samples.count()), labels, names);
        String tag = "_w" + format(w);
        report.put("class_accuracy" + tag, accuracy.overall()).count("class_accuracy" + tag + "_samples", labels.length);
        for (int c = 0; c < names.size(); c++) {
          report.put("class_accuracy" + tag + "_" + names.get(c), accuracy.accuracy(c));
        }
        out.printf("guidance %s: per-class accuracy of %d samples (%d per class)%n%s%n", format(w), labels.length,
            perClass, accuracy);
        if (w == scales.get(scales.size() - 1)) {
          distributionMetrics(samples, reference, tag);
        }
      }
    }
  }

  private ShapeClassifier classifier(TrainingData data) throws IOException {
    Path saved = options.classifier() != null ? options.classifier() : model.directory().resolve("classifier");
    if (Files.exists(saved.resolve("classifier.txt"))) {
      out.println("using the classifier in " + saved);
      return ShapeClassifier.load(saved);
    }
    if (options.classifier() != null) {
      throw new OptionException("--classifier: no classifier in " + saved + " (expected classifier.txt)");
    }
    out.printf("training a classifier on %d images of %s (saved to %s for next time)%n", data.split().train().length,
        options.data(), saved);
    ShapeClassifier classifier = ShapeClassifier.train(data.dataset(), data.split().train(), ShapeClassifier.DEFAULT_STEPS,
        ShapeClassifier.DEFAULT_BATCH, options.seed(), step -> { });
    classifier.save(saved);
    return classifier;
  }

  private void inpaintingMetrics(Batch reference) {
    int size = card.getImageSize();
    int channels = card.getImageChannels();
    int per = size * size * channels;
    int n = reference.size();
    double[][] sums = new double[3][2];
    for (int i = 0; i < n; i++) {
      float[] image = slice(reference.images(), i, 1, per);
      float[] mask = masks(image, i, 1)[1];
      Samples filled = model.sampling().count(1).ddim(options.steps()).eta(1.0).seed(options.seed() + i)
          .inpaint(image, mask).run();
      float[][] candidates = {filled.pixels(), InpaintingBaselines.meanFill(image, mask, size, channels),
          InpaintingBaselines.blurFill(image, mask, size, channels, 200)};
      for (int m = 0; m < 3; m++) {
        sums[m][0] += ImageMetrics.psnr(candidates[m], image, mask, size, channels);
        sums[m][1] += ssim(candidates[m], image, mask, size, channels);
      }
    }
    String[] names = {"model", "mean_fill", "blur_fill"};
    out.printf("inpainting, inside the hole, %d held-out images with random masks (%.0f-%.0f%% of pixels):%n", n,
        100 * config.getInpainting().getMinMaskRatio(), 100 * config.getInpainting().getMaxMaskRatio());
    for (int m = 0; m < 3; m++) {
      report.put("hole_psnr_" + names[m], sums[m][0] / n);
      if (size >= ImageMetrics.SSIM_WINDOW) {
        report.put("hole_ssim_" + names[m], sums[m][1] / n);
      }
      out.printf("  %-10s PSNR %.2f dB  SSIM %.4f%n", names[m], sums[m][0] / n, sums[m][1] / n);
    }
    report.count("hole_samples", n);
  }

  /**
   * The model's upscaling against plain bicubic, and the first stage's own reconstruction of the
   * high-resolution image (encode then decode): the ceiling any latent model can reach.
   */
  private void superResolutionMetrics(Batch reference) {
    int size = card.getImageSize();
    int channels = card.getImageChannels();
    int low = card.getLowResSize();
    int per = size * size * channels;
    int n = reference.size();
    String[] names = {"model", "bicubic", "vqgan_reconstruction"};
    double[][] sums = new double[names.length][2];
    for (int i = 0; i < n; i++) {
      float[] image = slice(reference.images(), i, 1, per);
      float[] lowRes = lowRes(image, i, 1);
      Samples upscaled = model.sampling().count(1).ddim(options.steps()).eta(1.0).seed(options.seed() + i)
          .lowRes(lowRes).run();
      float[] reconstruction = model.firstStage().decode(model.firstStage().encode(image, 1), 1);
      for (int k = 0; k < reconstruction.length; k++) {
        reconstruction[k] = Math.max(-1f, Math.min(1f, reconstruction[k]));
      }
      float[][] candidates = {upscaled.pixels(), LowResConditioning.bicubic(lowRes, low, size, channels),
          reconstruction};
      for (int m = 0; m < names.length; m++) {
        sums[m][0] += ImageMetrics.psnr(candidates[m], image, null, size, channels);
        sums[m][1] += ssim(candidates[m], image, null, size, channels);
      }
    }
    out.printf("super-resolution %dx%d -> %dx%d, %d held-out images:%n", low, low, size, size, n);
    for (int m = 0; m < names.length; m++) {
      report.put("sr_psnr_" + names[m], sums[m][0] / n);
      if (size >= ImageMetrics.SSIM_WINDOW) {
        report.put("sr_ssim_" + names[m], sums[m][1] / n);
      }
      out.printf("  %-20s PSNR %.2f dB  SSIM %.4f%n", names[m].replace('_', ' '), sums[m][0] / n, sums[m][1] / n);
    }
    report.count("sr_samples", n);
  }

  /** SSIM, or NaN (printed as such, left out of the JSON) for images smaller than its window. */
  private static double ssim(float[] a, float[] b, float[] mask, int size, int channels) {
    return size < ImageMetrics.SSIM_WINDOW ? Double.NaN : ImageMetrics.ssim(a, b, mask, size, channels);
  }

  /** {masked images, masks} for k images; mask i is seeded by the image's position, so reruns agree. */
  private float[][] masks(float[] images, int start, int k) {
    int size = card.getImageSize();
    int channels = card.getImageChannels();
    MaskGenerator generator = new MaskGenerator(size, config.getInpainting().getMinMaskRatio(),
        config.getInpainting().getMaxMaskRatio());
    float[] masks = new float[k * size * size];
    float[] masked = images.clone();
    for (int i = 0; i < k; i++) {
      float[] m = generator.generate(options.seed() * 7919 + start + i);
      System.arraycopy(m, 0, masks, i * size * size, size * size);
      for (int p = 0; p < size * size; p++) {
        if (m[p] > 0.5f) {
          for (int c = 0; c < channels; c++) {
            masked[(i * size * size + p) * channels + c] = 0f;
          }
        }
      }
    }
    return new float[][] {masked, masks};
  }

  /** The training degradation of k images, seeded by position. */
  private float[] lowRes(float[] images, int start, int k) {
    int size = card.getImageSize();
    int channels = card.getImageChannels();
    Degradation degradation = new Degradation(config.getSuperResolution().getDownscale(),
        config.getSuperResolution().getBlurSigma(), config.getSuperResolution().getNoiseStd());
    int per = size * size * channels;
    int low = card.getLowResSize();
    float[] out = new float[k * low * low * channels];
    for (int i = 0; i < k; i++) {
      float[] lr = degradation.apply(slice(images, i, 1, per), size, channels, options.seed() * 7919 + start + i);
      System.arraycopy(lr, 0, out, i * lr.length, lr.length);
    }
    return out;
  }

  private static float[] slice(float[] all, int start, int count, int per) {
    return Arrays.copyOfRange(all, start * per, (start + count) * per);
  }

  private static String format(double w) {
    return w == Math.rint(w) ? String.valueOf((long) w) : String.valueOf(w);
  }
}
