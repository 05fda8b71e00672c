package org.diffusiondepot.run;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.diffusiondepot.config.ConfigException;
import org.diffusiondepot.config.ConfigLoader;
import org.diffusiondepot.proto.ExperimentConfig;
import org.diffusiondepot.runtime.OptionException;

/**
 * The layout of a training run: {@code config.pbtxt} (the config it was started with),
 * {@code checkpoints/}, {@code samples/} (preview grids) and TensorBoard event files at the top,
 * so that {@code tensorboard --logdir RUN_DIR} shows the run.
 */
public final class RunDirectory {
  public static final String CONFIG = "config.pbtxt";
  public static final String CLASSES = "classes.txt";
  public static final String DATA_SOURCE = "data-source.txt";

  private final Path root;

  public RunDirectory(Path root) {
    this.root = root;
  }

  public Path root() {
    return root;
  }

  public Path config() {
    return root.resolve(CONFIG);
  }

  public Path checkpoints() {
    return root.resolve("checkpoints");
  }

  public Path samples() {
    return root.resolve("samples");
  }

  public Path classes() {
    return root.resolve(CLASSES);
  }

  /**
   * Records where the run's images come from ("builtin" or an absolute folder path), so that an
   * export can tell evaluation which held-out split is its own. A resumed run records its latest.
   */
  public void recordDataSource(String source) throws IOException {
    String recorded = TrainingData.BUILTIN.equals(source) ? source : Path.of(source).toAbsolutePath().normalize().toString();
    Files.writeString(root.resolve(DATA_SOURCE), recorded + "\n", StandardCharsets.UTF_8);
  }

  /** The recorded data source, or empty for runs from before it was recorded. */
  public java.util.Optional<String> dataSource() throws IOException {
    Path file = root.resolve(DATA_SOURCE);
    return Files.exists(file) ? java.util.Optional.of(Files.readString(file, StandardCharsets.UTF_8).strip())
        : java.util.Optional.empty();
  }

  /** The config a run was started with. */
  public ExperimentConfig loadConfig() {
    if (!Files.exists(config())) {
      throw new ConfigException(root + ": not a run directory (no " + CONFIG + ")");
    }
    return ConfigLoader.load(config());
  }

  /**
   * Starts a new run with {@code config}, or checks that an existing run was started with a
   * compatible one: the model, diffusion and task must match, training settings may change.
   */
  public void adopt(ExperimentConfig config, String configText) throws IOException {
    try {
      Files.createDirectories(root);
    } catch (IOException e) {
      throw OptionException.of("the run directory (--out)", root, e);
    }
    if (Files.exists(config())) {
      ExperimentConfig previous = loadConfig();
      checkSame("task", previous.getTask(), config.getTask());
      checkSame("model", previous.getModel(), config.getModel());
      checkSame("diffusion", previous.getDiffusion(), config.getDiffusion());
      checkSame("data.resolution", previous.getData().getResolution(), config.getData().getResolution());
      checkSame("classes", previous.getClasses(), config.getClasses());
      checkSame("first_stage", previous.getFirstStage(), config.getFirstStage());
      checkSame("latent_shape", previous.getLatentShapeList(), config.getLatentShapeList());
      if (!previous.equals(config)) {
        Files.writeString(root.resolve("config.previous.pbtxt"), ConfigLoader.toText(previous), StandardCharsets.UTF_8);
      }
    }
    Path tmp = root.resolve(".tmp-" + CONFIG);
    Files.writeString(tmp, configText, StandardCharsets.UTF_8);
    Files.move(tmp, config(), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  private void checkSame(String field, Object previous, Object now) {
    if (!previous.equals(now)) {
      throw new ConfigException(root + " was started with a different " + field + " (see " + config()
          + "); resume with that config or train into a new --out directory");
    }
  }
}
