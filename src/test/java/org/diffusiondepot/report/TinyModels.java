package org.diffusiondepot.report;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.diffusiondepot.export.Exporter;
import org.diffusiondepot.train.DiffusionTraining;
import org.diffusiondepot.train.TrainingRequest;

/**
 * Tiny runs and exports for the report tests: the smallest UNet there is (8x8, one level, no
 * attention), 3 steps on built-in data, since the training graph's start-up dominates the time.
 */
final class TinyModels {
  static final String COMMON = """
      model { base_channels: 8 channel_mults: [1] blocks_per_level: 1 block: RESNET_3X3 group_norm_groups: 4
              middle_attention: false }
      diffusion { beta_schedule: LINEAR variance: SAME }
      data { dataset: "builtin" resolution: 8 }
      train { batch_size: 4 iterations: 50 learning_rate: 1e-3 log_every: 1 checkpoint_every: 100 sample_count: 2
              sample_steps: 2 validation_every: 2 validation_batches: 1 ema_decay: 0.9 }
      """;
  static final String UNCONDITIONAL = "name: \"report_test\" description: \"tiny model for the report tests\" "
      + "task: UNCONDITIONAL\n" + COMMON;
  static final String INPAINTING = "name: \"report_inpaint\" task: INPAINTING "
      + "inpainting { min_mask_ratio: 0.2 max_mask_ratio: 0.4 }\n" + COMMON;
  /** Small sampling costs: the point is the page, not the pictures. */
  static final ReportOptions OPTIONS = new ReportOptions(4, 3, 7L, null);

  private TinyModels() {}

  static PrintStream quiet() {
    return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
  }

  /** Trains {@code config} for 3 steps into dir/name; returns the run directory. */
  static Path train(Path dir, String name, String config) throws IOException {
    Path file = dir.resolve(name + ".pbtxt");
    Files.writeString(file, config);
    Path run = dir.resolve(name);
    DiffusionTraining.run(new TrainingRequest(file, "builtin", run, 3L), quiet());
    return run;
  }

  static Path export(Path run) throws IOException {
    Path export = run.resolveSibling(run.getFileName() + "-export");
    Exporter.export(run, export, quiet());
    return export;
  }
}
