package org.diffusiondepot.task;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.diffusiondepot.config.ConfigLoader;
import org.diffusiondepot.proto.ExperimentConfig;
import org.junit.jupiter.api.Test;

/**
 * The low-res condition reaches the denoiser whole at every latent side, sampled images are
 * back-projected onto it.
 */
class SuperResolutionTaskTest {
  static ExperimentConfig config(int latentSide) {
    return ConfigLoader.parse("""
        name: "t" task: SUPER_RESOLUTION
        model { base_channels: 8 channel_mults: [1] block: RESNET_3X3 }
        diffusion { beta_schedule: LINEAR variance: SAME }
        data { resolution: 64 }
        super_resolution { downscale: 4 }
        latent_shape: [4, %d, %d]
        train { batch_size: 4 iterations: 10 }
        """.formatted(latentSide, latentSide), "test");
  }

  static SuperResolutionTask task(int latentSide) {
    return (SuperResolutionTask) DiffusionTask.of(config(latentSide), List.of(), null);
  }

  static float[] distinct(int values) {
    float[] out = new float[values];
    for (int i = 0; i < values; i++) {
      out[i] = i / (float) values - 0.5f;
    }
    return out;
  }

  @Test
  void atTheLatentSideTheLowResImageIsConcatenatedAsItIs() {
    SuperResolutionTask f4 = task(16);
    assertEquals(3, f4.conditionChannels());
    assertEquals(List.of(new SignatureInput(ExportContract.LOW_RES, false, 16, 16, 3)), f4.inputs());
    float[] low = distinct(2 * 16 * 16 * 3);
    assertArrayEquals(low, f4.atLatentSide(low, 2), 0f);
  }

  @Test
  void aLatentSmallerThanTheLowResImageGetsEveryPixelSpaceToDepth() {
    SuperResolutionTask f8 = task(8);
    assertEquals(12, f8.conditionChannels(), "each 2x2 block of RGB pixels becomes 12 channels");
    assertEquals(List.of(new SignatureInput(ExportContract.LOW_RES, false, 8, 8, 12)), f8.inputs());
    int n = 2;
    float[] low = distinct(n * 16 * 16 * 3);
    float[] condition = f8.atLatentSide(low, n);
    float[] sortedLow = low.clone();
    float[] sortedCondition = condition.clone();
    Arrays.sort(sortedLow);
    Arrays.sort(sortedCondition);
    assertArrayEquals(sortedLow, sortedCondition, 0f, "every low-res value, once: nothing averaged away");
    // Pixel (y, x) = (3, 5) of image 1, green: latent position (1, 2), block offset (1, 1) -> channel 3 * 3 + 1.
    int pixel = ((1 * 16 + 3) * 16 + 5) * 3 + 1;
    int latent = ((1 * 8 + 1) * 8 + 2) * 12 + 3 * 3 + 1;
    assertEquals(low[pixel], condition[latent], 0f);
  }

  @Test
  void samplesAreBackProjectedOntoTheirOwnLowResInput() {
    SuperResolutionTask f4 = task(16);
    float[] truth = BackProjectionTest.scene(30, 34, 15, new float[] {0.9f, 0.8f, -0.9f});
    float[] other = BackProjectionTest.scene(20, 20, 10, new float[] {-0.8f, 0.2f, 0.9f});
    float[] lows = new float[2 * 16 * 16 * 3];
    System.arraycopy(f4.downscale(truth), 0, lows, 0, 16 * 16 * 3);
    System.arraycopy(f4.downscale(other), 0, lows, 16 * 16 * 3, 16 * 16 * 3);
    float[] samples = new float[2 * truth.length];   // both grey: far from either input
    float[] out = f4.makeConsistent(samples, Conditioning.ofLowRes(lows), 2);
    for (int i = 0; i < 2; i++) {
      float[] one = Arrays.copyOfRange(out, i * truth.length, (i + 1) * truth.length);
      float[] low = Arrays.copyOfRange(lows, i * 16 * 16 * 3, (i + 1) * 16 * 16 * 3);
      assertTrue(BackProjectionTest.worst(f4.downscale(one), low) <= BackProjectionTest.HALF_LEVEL, "sample " + i);
    }
  }
}
