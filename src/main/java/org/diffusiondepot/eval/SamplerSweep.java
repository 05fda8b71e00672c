package org.diffusiondepot.eval;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.diffusiondepot.runtime.OptionException;
import org.diffusiondepot.sampler.Samples;
import org.diffusiondepot.sampler.Sampling;
import org.diffusiondepot.task.ClassConditionalTask;
import org.diffusiondepot.task.Conditioning;
import org.diffusiondepot.task.UnconditionalTask;

/**
 * {@code tools/depot eval EXPORT --sweep 5,10,20,50,100}: every few-step sampler of the library at
 * each step count, scored by the sliced Wasserstein distance of its samples to the held-out images
 * and, for class-conditional models, by the per-class accuracy of the project's classifier (at the
 * card's guidance scale). All runs share one seed, so they start from the same noise. What a user
 * reads off it is the cheapest sampler and step count that reach a quality; the report draws it as
 * a figure ({@code SamplerSweepFigures}) from the {@value #PREFIX} entries of metrics.json.
 */
final class SamplerSweep {
  /** Prefix of the sweep's entries: sweep_SAMPLER_STEPS_{swd,accuracy,evaluations}. */
  static final String PREFIX = "sweep_";

  /** One sampler setting of the sweep; {@code name} is how entries and the figure call it. */
  record Candidate(String name, Sampling.Method method, double eta) {}

  /** DDIM both ways (the project's default, eta 1, and the deterministic eta 0), then the solvers. */
  static final List<Candidate> CANDIDATES = List.of(
      new Candidate("ddim-eta1", Sampling.Method.DDIM, 1.0),
      new Candidate("ddim-eta0", Sampling.Method.DDIM, 0.0),
      new Candidate("dpmpp2m", Sampling.Method.DPMPP_2M, 0.0),
      new Candidate("dpmpp2m-sde", Sampling.Method.DPMPP_2M_SDE, 0.0),
      new Candidate("heun", Sampling.Method.HEUN, 0.0));

  private SamplerSweep() {}

  static void run(EvaluationContext ctx, List<Integer> stepCounts) throws IOException {
    boolean classes = ctx.task() instanceof ClassConditionalTask;
    if (!classes && !(ctx.task() instanceof UnconditionalTask)) {
      throw new OptionException("--sweep compares samplers on unconditional and class-conditional models; "
          + ctx.model().card().getName() + " is a " + ctx.task().kind() + " model");
    }
    for (int k : stepCounts) {
      if (k < 1 || k >= ctx.model().card().getDiffusion().getTimesteps()) {
        throw new OptionException("--sweep: step counts must be between 1 and "
            + (ctx.model().card().getDiffusion().getTimesteps() - 1) + ", got " + k);
      }
    }
    int count = ctx.reference().size();
    int[] labels = null;
    ShapeClassifier classifier = null;
    ClassConditionalTask classTask = classes ? (ClassConditionalTask) ctx.task() : null;
    if (classes) {
      int perClass = Math.max(1, count / classTask.classNames().size());
      labels = classTask.forSampling(Conditioning.none(), 0, perClass * classTask.classNames().size()).labels();
      count = labels.length;
      classifier = ClassEvaluation.classifier(ctx);
      // The ceiling of the accuracy column: how often the classifier is right on real images.
      int[] validation = ctx.data().split().validation();
      double real = classifier.accuracy(ctx.data().dataset(), validation);
      ctx.report().put("classifier_accuracy_real", real).count("classifier_accuracy_real_samples", validation.length);
      ctx.out().printf(Locale.ROOT, "classifier accuracy on %d held-out real images: %.3f%n", validation.length, real);
    }
    ctx.out().printf("sampler sweep: %d samples per setting (seed %d)%s, SWD x1e3 against %d held-out images%n",
        count, ctx.options().seed(), classes ? ", guidance " + ClassEvaluation.format(classTask.defaultGuidance())
            + ", per-class accuracy by the project's classifier" : "", ctx.reference().size());
    List<String> rows = new ArrayList<>();
    try {
      for (Candidate candidate : CANDIDATES) {
        for (int k : stepCounts) {
          Sampling sampling = ctx.model().sampling().count(count).method(candidate.method(), k)
              .eta(candidate.eta()).seed(ctx.options().seed());
          if (classes) {
            sampling.classLabels(labels);
          }
          int evaluations = sampling.sampler().evaluations();
          long start = System.nanoTime();
          Samples samples = sampling.run();
          double seconds = (System.nanoTime() - start) / 1e9;
          double swd = SlicedWasserstein.standard().distance(samples.pixels(), samples.count(),
              ctx.reference().images(), ctx.reference().size(), ctx.task().imageSize(), ctx.task().imageChannels());
          String key = PREFIX + candidate.name() + "_" + k;
          ctx.report().put(key + "_swd", swd).count(key + "_swd_samples", samples.count())
              .count(key + "_evaluations", evaluations);
          String accuracyText = "";
          if (classes) {
            double accuracy = PerClassAccuracy.of(classifier.predict(samples.pixels(), samples.count()), labels,
                classTask.classNames()).overall();
            ctx.report().put(key + "_accuracy", accuracy).count(key + "_accuracy_samples", samples.count());
            accuracyText = String.format(Locale.ROOT, " | %.3f", accuracy);
          }
          String row = String.format(Locale.ROOT, "| %s | %d | %d | %.1f%s |", candidate.name(), k, evaluations,
              swd, accuracyText);
          rows.add(row);
          ctx.out().printf(Locale.ROOT, "%s   (%.0f s)%n", row, seconds);
        }
      }
    } finally {
      if (classifier != null) {
        classifier.close();
      }
    }
    ctx.out().println();
    ctx.out().println("| sampler | steps | network evaluations | SWD x1e3" + (classes ? " | class accuracy" : "") + " |");
    ctx.out().println("|---|---|---|---" + (classes ? "|---" : "") + "|");
    rows.forEach(ctx.out()::println);
  }
}
