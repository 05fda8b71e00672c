package org.diffusiondepot.bench;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.diffusiondepot.proto.ExperimentConfig;
import org.diffusiondepot.runtime.PeakMemory;
import org.diffusiondepot.runtime.SessionConfigs;
import org.diffusiondepot.runtime.Tensors;
import org.diffusiondepot.train.TrainingGraph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.types.TFloat32;

/**
 * Times training steps and single denoising steps of a config's denoiser on random data, the way
 * ../shared/bench/ddpm_ref.py times its PyTorch twin: per-step wall time and CPU/wall ratio (a step
 * whose ratio is far below the thread count was slowed by another process), medians over the clean
 * steps.
 */
public final class TrainingBenchmark {
  public record Result(double trainStepSeconds, double imagesPerSecond, double sampleStepSeconds,
      int contendedTrain, int contendedSample) {}

  private TrainingBenchmark() {}

  /** Which half of the benchmark to run: each process picks its kernels once (README, "Performance"). */
  public enum Part {
    TRAINING, SAMPLING, BOTH;

    boolean training() {
      return this != SAMPLING;
    }

    boolean sampling() {
      return this != TRAINING;
    }
  }

  /**
   * Times the training step in a training session and the denoising step in a session set up as the
   * sampler's ({@link SessionConfigs#withoutGrappler}), each on its own freshly initialised weights.
   * A part not run reports NaN.
   */
  public static Result run(ExperimentConfig config, Part part, int batch, int sampleBatch, int warmup, int steps,
      boolean profile, PrintStream out) {
    if (profile) {
      OpProfile.checkEnvironment(); // before minutes of building and timing, not after
    }
    TrainingGraph graph = new TrainingGraph(config);
    int threads = SessionConfigs.cpu().getIntraOpParallelismThreads();
    double minRatio = 0.9 * threads;
    Random random = new Random(0);
    out.printf("[%s] %s%n", config.getName(), graph.describeLayout());
    graph.layout.hardwareNote().ifPresent(note -> out.printf("[%s] note: %s%n", config.getName(), note));
    try {
      List<double[]> train = part.training() ? timeTraining(graph, batch, warmup, steps, profile, random, out)
          : List.of();
      List<double[]> sample = part.sampling() ? timeSampling(graph, sampleBatch, steps, profile, random, out)
          : List.of();
      out.printf("[%s] after the timed steps: %s%n", config.getName(), PeakMemory.describe());
      double trainMedian = cleanMedian(train, minRatio);
      return new Result(trainMedian, batch / trainMedian, cleanMedian(sample, minRatio), contended(train, minRatio),
          contended(sample, minRatio));
    } finally {
      graph.graph.close();
    }
  }

  private static List<double[]> timeTraining(TrainingGraph graph, int batch, int warmup, int steps, boolean profile,
      Random random, PrintStream out) {
    int size = graph.denoiser.modelSize();
    int channels = graph.denoiser.modelChannels();
    List<double[]> train = new ArrayList<>();
    try (Session session = new Session(graph.graph, graph.layout.sessionConfig());
        Tensor images = Tensors.of(uniform(random, batch * size * size * channels), batch, size, size, channels);
        Tensor lr = TFloat32.scalarOf(1e-4f);
        ConditionFeeds feeds = conditionFeeds(graph, batch, false)) {
      session.initialize();
      for (int i = 0; i < warmup + steps; i++) {
        double[] timing = timed(() -> {
          Session.Runner r = session.runner().feed(graph.x0, images).feed(graph.learningRate, lr);
          feeds.apply(r);
          try (org.tensorflow.Result res = r.addTarget(graph.trainStep).fetch(graph.loss).run()) {
            return;
          }
        });
        out.printf("  train step %d %s %.3fs cpu/wall=%.2f%n", i, i < warmup ? "warmup" : "timed ", timing[0], timing[1]);
        if (i >= warmup) {
          train.add(timing);
        }
      }
      if (profile) {
        Session.Runner r = session.runner().feed(graph.x0, images).feed(graph.learningRate, lr);
        feeds.apply(r);
        printProfile(graph, r.addTarget(graph.trainStep).fetch(graph.loss), out);
      }
    }
    return train;
  }

  /**
   * The denoising step as the sampler takes it: one call of the network (in a session without
   * grappler, like {@link SessionConfigs#sampling()}), then the host-side update.
   */
  private static List<double[]> timeSampling(TrainingGraph graph, int sampleBatch, int steps, boolean profile,
      Random random, PrintStream out) {
    int size = graph.denoiser.modelSize();
    int channels = graph.denoiser.modelChannels();
    List<double[]> sample = new ArrayList<>();
    float[] xt = gaussian(random, sampleBatch * size * size * channels);
    int[] t = new int[sampleBatch];
    try (Session session = new Session(graph.graph, SessionConfigs.withoutGrappler(graph.layout.sessionConfig()));
        Tensor x = Tensors.of(xt, sampleBatch, size, size, channels);
        ConditionFeeds feeds = conditionFeeds(graph, sampleBatch, true)) {
      session.initialize();
      for (int i = 0; i < 1 + steps; i++) {
        Arrays.fill(t, 999 - i);
        double[] timing = timed(() -> {
          try (Tensor tt = Tensors.of(t, sampleBatch)) {
            Session.Runner r = session.runner().feed(graph.sampleXt, x).feed(graph.sampleT, tt);
            feeds.apply(r);
            try (org.tensorflow.Result res = r.fetch(graph.sampleEps).run()) {
              float[] eps = Tensors.floats((TFloat32) res.get(0));
              // the host-side DDPM update the sampler performs
              for (int k = 0; k < eps.length; k++) {
                xt[k] = 1.0001f * (xt[k] - 0.01f * eps[k]);
              }
            }
          }
        });
        out.printf("  sample step %d %s %.3fs cpu/wall=%.2f%n", i, i < 1 ? "warmup" : "timed ", timing[0], timing[1]);
        if (i >= 1) {
          sample.add(timing);
        }
      }
      if (profile) {
        out.println("sampling step (denoiser forward pass):");
        try (Tensor tt = Tensors.of(t, sampleBatch)) {
          Session.Runner r = session.runner().feed(graph.sampleXt, x).feed(graph.sampleT, tt);
          feeds.apply(r);
          printProfile(graph, r.fetch(graph.sampleEps), out);
        }
      }
    }
    return sample;
  }

  /** Runs {@code runner} once with a full trace and prints its time per op type. */
  private static void printProfile(TrainingGraph graph, Session.Runner runner, PrintStream out) {
    RunOptions traced = RunOptions.newBuilder().setTraceLevel(RunOptions.TraceLevel.FULL_TRACE).build();
    try (org.tensorflow.Result res = runner.setOptions(traced).runAndFetchMetadata()) {
      OpProfile.print(graph.graph, res.getMetadata().orElseThrow(), out, 25);
    }
  }

  /** Feeds for the task's conditioning placeholders with neutral values. */
  private static ConditionFeeds conditionFeeds(TrainingGraph graph, int batch, boolean sampling) {
    var inputs = sampling ? graph.sampleCondition : graph.condition;
    return new ConditionFeeds(inputs, graph.denoiser.task().inputs(), batch);
  }

  private interface Body {
    void run();
  }

  private static double[] timed(Body body) {
    var bean = ManagementFactory.getThreadMXBean();
    long cpu0 = processCpuNanos();
    long t0 = System.nanoTime();
    body.run();
    double wall = (System.nanoTime() - t0) / 1e9;
    double cpu = (processCpuNanos() - cpu0) / 1e9;
    return new double[] {wall, cpu / wall};
  }

  private static long processCpuNanos() {
    var os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      return sun.getProcessCpuTime();
    }
    return 0;
  }

  /** Median wall time of the steps that had (nearly) all threads; all steps if none did; NaN if none ran. */
  private static double cleanMedian(List<double[]> timings, double minRatio) {
    if (timings.isEmpty()) {
      return Double.NaN;
    }
    double[] clean = timings.stream().filter(t -> t[1] >= minRatio).mapToDouble(t -> t[0]).sorted().toArray();
    if (clean.length == 0) {
      clean = timings.stream().mapToDouble(t -> t[0]).sorted().toArray();
    }
    int n = clean.length;
    return n % 2 == 1 ? clean[n / 2] : 0.5 * (clean[n / 2 - 1] + clean[n / 2]);
  }

  private static int contended(List<double[]> timings, double minRatio) {
    return (int) timings.stream().filter(t -> t[1] < minRatio).count();
  }

  private static float[] uniform(Random r, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = r.nextFloat() * 2 - 1;
    }
    return a;
  }

  private static float[] gaussian(Random r, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) r.nextGaussian();
    }
    return a;
  }
}
