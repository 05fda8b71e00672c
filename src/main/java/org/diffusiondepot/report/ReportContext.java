package org.diffusiondepot.report;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.diffusiondepot.config.ConfigException;
import org.diffusiondepot.config.ConfigLoader;
import org.diffusiondepot.proto.DiffusionConfig;
import org.diffusiondepot.proto.ExperimentConfig;
import org.diffusiondepot.proto.ModelCard;
import org.diffusiondepot.proto.Task;
import org.diffusiondepot.sampler.DepotModel;
import org.diffusiondepot.sampler.ModelCards;
import org.diffusiondepot.run.RunDirectory;
import org.diffusiondepot.schedule.NoiseSchedule;
import org.diffusiondepot.task.DiffusionTask;

/**
 * What a report is about: the run's config (or the one an export carries in its model card), the
 * model card, and the resources sections share, opened once and only when a section needs them.
 */
final class ReportContext implements AutoCloseable {
  final Path runDir;
  final Path exportDir;
  final Path outDir;
  final ReportOptions options;
  final Figures figures;
  private final PrintStream out;
  /** Null only when an export's embedded config no longer parses. */
  final ExperimentConfig config;
  /** The config as text: the run's config.pbtxt, or the card's source_config. */
  final String configText;
  /** Null without an export. */
  final ModelCard card;
  /** Null for a model that is not a diffusion model, or without a config. */
  private final DiffusionTask task;
  private DepotModel model;
  private ExampleImages examples;

  private ReportContext(Path runDir, Path exportDir, Path outDir, ReportOptions options, PrintStream out,
      ExperimentConfig config, String configText, ModelCard card) {
    this.runDir = runDir;
    this.exportDir = exportDir;
    this.outDir = outDir;
    this.options = options;
    this.out = out;
    this.config = config;
    this.configText = configText;
    this.card = card;
    this.figures = new Figures(outDir);
    this.task = diffusionTask(config, card);
  }

  /** The config's task, with the card's class names; null for a first stage or without a config. */
  private static DiffusionTask diffusionTask(ExperimentConfig config, ModelCard card) {
    if (config == null) {
      return null;
    }
    try {
      return DiffusionTask.of(config, card == null ? List.of() : card.getClassNamesList(), null);
    } catch (IllegalArgumentException e) {
      return null;  // not a diffusion task: a first stage, or none at all
    }
  }

  static ReportContext open(Path runDir, Path exportDir, Path outDir, ReportOptions options, PrintStream out)
      throws IOException {
    if (runDir == null && exportDir == null) {
      throw new IllegalArgumentException("a report needs a run directory, an export directory or both");
    }
    ExperimentConfig config = null;
    String text = null;
    if (runDir != null) {
      RunDirectory run = new RunDirectory(runDir);
      config = run.loadConfig();
      text = Files.readString(run.config(), StandardCharsets.UTF_8);
    }
    ModelCard card = exportDir == null ? null : ModelCards.read(exportDir);
    if (config == null) {
      text = card.getSourceConfig();
      try {
        config = ConfigLoader.parse(text, exportDir.resolve(ModelCards.FILE) + " (source_config)");
      } catch (ConfigException e) {
        out.println("report: the export's embedded config does not load (" + e.getMessage()
            + "); using the model card alone");
      }
    }
    return new ReportContext(runDir, exportDir, outDir, options, out, config, text, card);
  }

  boolean hasRun() {
    return runDir != null;
  }

  boolean hasExport() {
    return card != null;
  }

  String name() {
    return card != null ? card.getName() : config.getName();
  }

  /** The kind of model, for printing. */
  Task kind() {
    return card != null ? card.getTask() : config.getTask();
  }

  /**
   * What the model generates and how it is conditioned, from the config (without a first stage, so
   * nothing is encoded or decoded with it; sampling uses {@code model().task()}). Null for a model
   * that is not a diffusion model (a first stage), or when the export's config does not load.
   */
  DiffusionTask task() {
    return task;
  }

  /** Side of the images the model produces (pixels, not latents). */
  int resolution() {
    return card != null ? card.getImageSize() : config.getData().getResolution();
  }

  int channels() {
    return card != null ? card.getImageChannels() : config.getData().getChannels();
  }

  /** The diffusion settings: the config's, or the card's when there is no config. */
  DiffusionConfig diffusion() {
    if (config != null) {
      return config.getDiffusion();
    }
    return card.getDiffusion();
  }

  NoiseSchedule schedule() {
    return NoiseSchedule.fromConfig(diffusion());
  }

  /** The export's model, loaded on first use and closed with the context. */
  DepotModel model() throws IOException {
    if (model == null) {
      progress("loading the export %s", exportDir);
      model = DepotModel.load(exportDir);
    }
    return model;
  }

  /** Real images for the forward process and the conditional tasks, opened on first use. */
  ExampleImages examples() {
    if (examples == null) {
      examples = ExampleImages.open(config, resolution(), channels(), options.data());
      progress("example images: %s", examples.description());
    }
    return examples;
  }

  void progress(String format, Object... args) {
    out.println("report: " + String.format(Locale.ROOT, format, args));
  }

  @Override
  public void close() {
    if (model != null) {
      model.close();
      model = null;
    }
  }
}
