package org.diffusiondepot.serve;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.diffusiondepot.export.Exporter;
import org.diffusiondepot.firststage.FirstStageExporter;
import org.diffusiondepot.firststage.FirstStageTraining;
import org.diffusiondepot.train.DiffusionTraining;
import org.diffusiondepot.train.TrainingRequest;

/**
 * One tiny export per task for the server and browser tests: the smallest UNet there is (8x8,
 * one level, no attention; the super-resolution model 16 px over a 4x4x3 latent of a tiny VQGAN),
 * trained for 2 steps on the built-in shapes, since the point is the page and not the pictures.
 * Each is trained once per test JVM, on first use, and shared by the test classes.
 */
final class TinyExports {
  static final String COMMON = """
      model { base_channels: 8 channel_mults: [1] blocks_per_level: 1 block: RESNET_3X3 group_norm_groups: 4
              middle_attention: false }
      diffusion { beta_schedule: LINEAR variance: SAME }
      data { dataset: "builtin" resolution: 8 }
      train { batch_size: 4 iterations: 50 learning_rate: 1e-3 checkpoint_every: 100 sample_count: 1 sample_steps: 1
              sample_every: 100 validation_every: 100 }
      """;
  static final String UNCONDITIONAL = "name: \"tiny_uncond\" description: \"tiny test model\" task: UNCONDITIONAL\n"
      + COMMON;
  static final String CLASSES = "name: \"tiny_classes\" task: CLASS_CONDITIONAL "
      + "classes { num_classes: 3 classifier_free_guidance: true guidance_scale: 3 }\n" + COMMON;
  static final String NO_GUIDANCE = "name: \"tiny_no_cfg\" task: CLASS_CONDITIONAL classes { num_classes: 3 }\n"
      + COMMON;
  static final String INPAINTING = "name: \"tiny_inpaint\" task: INPAINTING "
      + "inpainting { min_mask_ratio: 0.2 max_mask_ratio: 0.4 }\n" + COMMON;
  static final String VQGAN = """
      name: "tiny_vqgan" task: FIRST_STAGE
      data { resolution: 16 channels: 3 train_fraction: 0.8 }
      first_stage { factor: 4 base_channels: 8 channel_mults: [1, 1, 2] blocks_per_level: 1 latent_channels: 3
                    embedding_dim: 3 codebook_size: 16 commitment_beta: 0.25 }
      train { batch_size: 4 iterations: 10 checkpoint_every: 100 log_every: 1 sample_every: 100 validation_every: 100 }
      """;
  static final String SUPER_RESOLUTION = """
      name: "tiny_sr" task: SUPER_RESOLUTION
      model { base_channels: 8 channel_mults: [1] blocks_per_level: 1 block: RESNET_3X3 group_norm_groups: 4
              middle_attention: false }
      diffusion { beta_schedule: LINEAR variance: SAME }
      data { resolution: 16 channels: 3 }
      super_resolution { downscale: 2 first_stage: "%s" }
      latent_shape: [3, 4, 4]
      train { batch_size: 4 iterations: 10 sample_count: 1 sample_steps: 1 sample_every: 100 validation_every: 100 }
      """;

  private static Path dir;
  private static Path unconditional;
  private static Path classes;
  private static Path noGuidance;
  private static Path inpainting;
  private static Path superResolution;

  private TinyExports() {}

  static synchronized Path unconditional() {
    return unconditional = unconditional != null ? unconditional : diffusion("uncond", UNCONDITIONAL);
  }

  static synchronized Path classes() {
    return classes = classes != null ? classes : diffusion("classes", CLASSES);
  }

  static synchronized Path noGuidance() {
    return noGuidance = noGuidance != null ? noGuidance : diffusion("no-cfg", NO_GUIDANCE);
  }

  static synchronized Path inpainting() {
    return inpainting = inpainting != null ? inpainting : diffusion("inpaint", INPAINTING);
  }

  static synchronized Path superResolution() {
    if (superResolution == null) {
      try {
        Path config = write("vqgan", VQGAN);
        FirstStageTraining.run(new TrainingRequest(config, "builtin", dir().resolve("vqgan"), 2L), quiet());
        Path vqgan = dir().resolve("vqgan-export");
        FirstStageExporter.export(dir().resolve("vqgan"), vqgan, quiet());
        superResolution = diffusion("sr", SUPER_RESOLUTION.formatted(vqgan.toString().replace("\\", "/")));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return superResolution;
  }

  /** Trains {@code config} for 2 steps and exports it as dir/NAME (the page id is NAME). */
  private static Path diffusion(String name, String config) {
    try {
      Path run = dir().resolve("runs").resolve(name);
      DiffusionTraining.run(new TrainingRequest(write(name, config), "builtin", run, 2L), quiet());
      Path export = dir().resolve(name);
      Exporter.export(run, export, quiet());
      return export;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path write(String name, String config) throws IOException {
    Path file = dir().resolve("configs").resolve(name + ".pbtxt");
    Files.createDirectories(file.getParent());
    Files.writeString(file, config);
    return file;
  }

  private static Path dir() throws IOException {
    if (dir == null) {
      dir = Files.createTempDirectory("depot-serve-test");
      Path created = dir;
      Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(created)));
    }
    return dir;
  }

  private static void delete(Path root) {
    try (Stream<Path> walk = Files.walk(root)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temporary folder left behind is harmless
    }
  }

  private static PrintStream quiet() {
    return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
  }
}
