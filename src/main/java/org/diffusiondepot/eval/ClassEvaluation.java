package org.diffusiondepot.eval;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.diffusiondepot.run.TrainingData;
import org.diffusiondepot.runtime.OptionException;
import org.diffusiondepot.sampler.Samples;
import org.diffusiondepot.task.ClassConditionalTask;
import org.diffusiondepot.task.Conditioning;

/**
 * Class-conditional models: the project's classifier (saved beside the export, trained on the data
 * the first time) recognises the class each sample was generated for, per class and overall, at
 * each guidance scale (the options', or 0, 1 and the model's own with classifier-free guidance);
 * the samples of the last scale are also compared with the held-out images as distributions.
 */
final class ClassEvaluation implements TaskEvaluation {
  private final ClassConditionalTask task;

  ClassEvaluation(ClassConditionalTask task) {
    this.task = task;
  }

  @Override
  public void evaluate(EvaluationContext ctx) throws IOException {
    TrainingData data = ctx.data();
    MetricsReport report = ctx.report();
    try (ShapeClassifier classifier = classifier(ctx)) {
      List<String> names = task.classNames();
      int perClass = Math.max(1, ctx.options().samples() / names.size());
      // Every class in turn, as the sampler goes through them when given no class.
      int[] labels = task.forSampling(Conditioning.none(), 0, perClass * names.size()).labels();
      int[] validation = data.split().validation();
      double truth = classifier.accuracy(data.dataset(), validation);
      report.put("classifier_accuracy_real", truth).count("classifier_accuracy_real_samples", validation.length);
      ctx.out().printf("classifier accuracy on %d held-out real images: %.3f%n", validation.length, truth);
      List<Double> scales = ctx.options().guidance().isEmpty()
          ? (task.classifierFreeGuidance() ? List.of(0.0, 1.0, task.defaultGuidance()) : List.of(1.0))
          : ctx.options().guidance();
      for (double w : scales) {
        Samples samples = ctx.generate(labels.length, labels, w);
        PerClassAccuracy accuracy = PerClassAccuracy.of(classifier.predict(samples.pixels(), samples.count()), labels,
            names);
        String tag = "_w" + format(w);
        report.put("class_accuracy" + tag, accuracy.overall()).count("class_accuracy" + tag + "_samples",
            labels.length);
        for (int c = 0; c < names.size(); c++) {
          report.put("class_accuracy" + tag + "_" + names.get(c), accuracy.accuracy(c));
        }
        ctx.out().printf("guidance %s: per-class accuracy of %d samples (%d per class)%n%s%n", format(w),
            labels.length, perClass, accuracy);
        if (w == scales.get(scales.size() - 1)) {
          DistributionMetrics.compare(ctx, samples, tag);
        }
      }
    }
  }

  /** The saved classifier, or one trained now on the training split and saved for next time. */
  static ShapeClassifier classifier(EvaluationContext ctx) throws IOException {
    ModelEvaluation.Options options = ctx.options();
    Path saved = options.classifier() != null ? options.classifier() : ctx.model().directory().resolve("classifier");
    if (Files.exists(saved.resolve("classifier.txt"))) {
      ctx.out().println("using the classifier in " + saved);
      return ShapeClassifier.load(saved);
    }
    if (options.classifier() != null) {
      throw new OptionException("--classifier: no classifier in " + saved + " (expected classifier.txt)");
    }
    TrainingData data = ctx.data();
    ctx.out().printf("training a classifier on %d images of %s (saved to %s for next time)%n",
        data.split().train().length, options.data(), saved);
    ShapeClassifier classifier = ShapeClassifier.train(data.dataset(), data.split().train(),
        ShapeClassifier.DEFAULT_STEPS, ShapeClassifier.DEFAULT_BATCH, options.seed(), step -> { });
    classifier.save(saved);
    return classifier;
  }

  /** A guidance scale as it appears in metric names: "3", "1.5". */
  static String format(double w) {
    return w == Math.rint(w) ? String.valueOf((long) w) : String.valueOf(w);
  }
}
