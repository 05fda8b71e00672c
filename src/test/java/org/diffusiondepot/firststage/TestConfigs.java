package org.diffusiondepot.firststage;

import org.diffusiondepot.config.ConfigLoader;
import org.diffusiondepot.proto.ExperimentConfig;

/** Tiny first-stage configs that build and run in a second or two. */
final class TestConfigs {
  private TestConfigs() {}

  /** A VQGAN with f = 2^(mults - 1) on {@code size} px images, 8 base channels, attention at the bottom. */
  static String text(int size, String mults, int factor, String extraFirstStage, String train) {
    return """
        name: "fs_test" task: FIRST_STAGE
        data { resolution: %d channels: 3 train_fraction: 0.8 }
        first_stage { factor: %d base_channels: 8 channel_mults: %s blocks_per_level: 1 latent_channels: 6
                      embedding_dim: 4 codebook_size: 32 commitment_beta: 0.25 attention: true %s }
        train { %s }
        """.formatted(size, factor, mults, extraFirstStage, train);
  }

  static ExperimentConfig config(int size, String mults, int factor) {
    return ConfigLoader.parse(text(size, mults, factor, "", "batch_size: 4 iterations: 10"), "test");
  }

  static ExperimentConfig parse(String text) {
    return ConfigLoader.parse(text, "test");
  }
}
