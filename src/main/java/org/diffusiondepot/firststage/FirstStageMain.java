package org.diffusiondepot.firststage;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.diffusiondepot.config.ConfigException;
import org.diffusiondepot.config.ConfigLoader;
import org.diffusiondepot.proto.ExperimentConfig;
import org.diffusiondepot.runtime.SessionConfigs;
import org.diffusiondepot.train.CheckpointStore;
import org.diffusiondepot.train.RunDirectory;
import org.diffusiondepot.train.Trainer;
import org.diffusiondepot.train.TrainingData;
import org.tensorflow.Session;

/**
 * A small command line for the first stage until it is wired into the main CLI:
 * <pre>
 *   FirstStageMain CONFIG --data DIR|builtin --out RUN_DIR [--steps N]   train (resumes)
 *   FirstStageMain export RUN_DIR --out EXPORT_DIR                       SavedModel + model card
 *   FirstStageMain describe CONFIG                                       architecture, parameters
 *   FirstStageMain latent-scale RUN_DIR --data DIR|builtin               re-measure latent_scale.txt
 *   FirstStageMain evaluate RUN_DIR --data DIR|builtin [--batches N]     PSNR and code usage, held-out images
 * </pre>
 */
public final class FirstStageMain {
  private static final String USAGE = """
      usage: FirstStageMain CONFIG --data DIR|builtin --out RUN_DIR [--steps N]
             FirstStageMain export RUN_DIR --out EXPORT_DIR
             FirstStageMain describe CONFIG
             FirstStageMain latent-scale RUN_DIR --data DIR|builtin
             FirstStageMain evaluate RUN_DIR --data DIR|builtin [--batches N]""";

  private FirstStageMain() {}

  public static void main(String[] args) throws Exception {
    try {
      run(args, System.out);
    } catch (ConfigException | IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      System.exit(2);
    }
    System.exit(0);
  }

  static void run(String[] args, PrintStream out) throws IOException {
    List<String> positional = new ArrayList<>();
    Map<String, String> options = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (args[i].startsWith("--")) {
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException(args[i] + " needs a value\n" + USAGE);
        }
        options.put(args[i], args[++i]);
      } else {
        positional.add(args[i]);
      }
    }
    if (positional.isEmpty()) {
      throw new IllegalArgumentException(USAGE);
    }
    switch (positional.get(0)) {
      case "export" -> FirstStageExporter.export(Path.of(only(positional)), Path.of(required(options, "--out")), out);
      case "describe" -> {
        ExperimentConfig c = ConfigLoader.load(Path.of(only(positional)));
        out.printf("%s: %s%n", c.getName(), c.getDescription());
        out.print(FirstStageDescriber.describe(c));
      }
      case "latent-scale" -> latentScale(Path.of(only(positional)), required(options, "--data"), out);
      case "evaluate" -> evaluate(Path.of(only(positional)), required(options, "--data"),
          Integer.parseInt(options.getOrDefault("--batches", "1000000")), out);
      default -> {
        if (positional.size() != 1) {
          throw new IllegalArgumentException(USAGE);
        }
        Long steps = options.containsKey("--steps") ? Long.valueOf(options.get("--steps")) : null;
        if (steps != null && steps <= 0) {
          throw new IllegalArgumentException("--steps must be positive, got " + steps);
        }
        FirstStageTrainer.run(new Trainer.Options(Path.of(positional.get(0)), required(options, "--data"),
            Path.of(required(options, "--out")), steps), out);
      }
    }
  }

  /** Re-measures the latent scale of a run's latest checkpoint on its training images. */
  static double latentScale(Path runDir, String data, PrintStream out) throws IOException {
    RunDirectory run = new RunDirectory(runDir);
    ExperimentConfig config = run.loadConfig();
    TrainingData images = TrainingData.open(data, config);
    FirstStageTrainingGraph graph = new FirstStageTrainingGraph(config);
    try (Session session = new Session(graph.graph, SessionConfigs.cpu())) {
      session.restore(latest(run).toString());
      double scale = LatentScale.measure(session, graph, images.dataset(), images.split().train(),
          config.getTrain().getBatchSize());
      LatentScale.write(runDir, scale);
      out.printf("latent scale %.5f written to %s%n", scale, runDir.resolve(LatentScale.FILE));
      return scale;
    } finally {
      graph.graph.close();
    }
  }

  /** Reconstruction PSNR and code usage of a run's latest checkpoint on its held-out images. */
  static ReconstructionReport evaluate(Path runDir, String data, int batches, PrintStream out) throws IOException {
    RunDirectory run = new RunDirectory(runDir);
    ExperimentConfig config = run.loadConfig();
    TrainingData images = TrainingData.open(data, config);
    FirstStageTrainingGraph graph = new FirstStageTrainingGraph(config);
    try (Session session = new Session(graph.graph, SessionConfigs.cpu())) {
      Path checkpoint = latest(run);
      session.restore(checkpoint.toString());
      ReconstructionReport r = ReconstructionReport.measure(session, graph, images.dataset(),
          images.split().validation(), config.getTrain().getBatchSize(), batches);
      out.printf("%s step %d on %d held-out images: PSNR %.2f dB, L1 %.4f, codebook perplexity %.1f, "
              + "%.1f%% of %d codes used%n", config.getName(), CheckpointStore.stepOf(checkpoint), r.images(), r.psnr(),
          r.l1(), r.perplexity(), 100 * r.usage(), graph.network.spec().codebookSize());
      return r;
    } finally {
      graph.graph.close();
    }
  }

  private static Path latest(RunDirectory run) throws IOException {
    return new CheckpointStore(run.checkpoints(), 1).latest().orElseThrow(() -> new ConfigException(
        run.root() + " has no checkpoint yet; train first"));
  }

  private static String only(List<String> positional) {
    if (positional.size() != 2) {
      throw new IllegalArgumentException(USAGE);
    }
    return positional.get(1);
  }

  private static String required(Map<String, String> options, String name) {
    String value = options.get(name);
    if (value == null) {
      throw new IllegalArgumentException(name + " is required\n" + USAGE);
    }
    return value;
  }
}
