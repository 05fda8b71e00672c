package org.diffusiondepot.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.TextFormat;
import java.util.Arrays;
import java.util.List;
import org.diffusiondepot.proto.ExperimentConfig;
import org.diffusiondepot.task.DiffusionTask;
import org.junit.jupiter.api.Test;

/** Each task gets its own evaluation; the shared scoring of candidates against the truth. */
class EvaluationsTest {
  static DiffusionTask task(String text) throws TextFormat.ParseException {
    ExperimentConfig.Builder config = ExperimentConfig.newBuilder();
    TextFormat.merge(text + " data { resolution: 16 channels: 3 }", config);
    return DiffusionTask.of(config.build(), List.of("a", "b"), null);
  }

  @Test
  void eachTaskHasItsEvaluation() throws Exception {
    assertInstanceOf(UnconditionalEvaluation.class, Evaluations.of(task("task: UNCONDITIONAL")));
    assertInstanceOf(ClassEvaluation.class, Evaluations.of(task("task: CLASS_CONDITIONAL classes { num_classes: 2 }")));
    assertInstanceOf(InpaintingEvaluation.class, Evaluations.of(task(
        "task: INPAINTING inpainting { min_mask_ratio: 0.2 max_mask_ratio: 0.4 }")));
    assertInstanceOf(SuperResolutionEvaluation.class, Evaluations.of(task(
        "task: SUPER_RESOLUTION super_resolution { downscale: 2 } latent_shape: [3, 4, 4]")));
  }

  @Test
  void candidatesAreAveragedOverImagesAndNamedByPrefix() {
    int size = 8;
    float[] truth = new float[size * size * 3];
    float[] near = truth.clone();
    float[] far = truth.clone();
    Arrays.fill(near, 0.2f);  // error 0.1 on [0, 1]: MSE 0.01, 20 dB
    Arrays.fill(far, 0.4f);   // error 0.2: MSE 0.04, 13.98 dB
    CandidateScores scores = new CandidateScores(List.of("model", "baseline"), size, 3);
    scores.add(truth, null, near, far);
    scores.add(truth, null, far, far);
    assertEquals((20 + 10 * Math.log10(25)) / 2, scores.psnr(0), 1e-4);
    assertEquals(10 * Math.log10(25), scores.psnr(1), 1e-4);
    assertTrue(Double.isNaN(scores.ssim(0)), "no SSIM below its 11 px window");
    MetricsReport report = new MetricsReport();
    scores.put(report, "sr");
    assertEquals(List.of("sr_psnr_model", "sr_swd_model", "sr_psnr_baseline", "sr_swd_baseline", "sr_samples"),
        List.copyOf(report.entries().keySet()));
    assertEquals(0, scores.swd(1), 0.0, "flat images are centred to 0 like the flat truth: SWD 0");
    // The model's set is half 0.2, half 0.4 images: normalised per set, its patches are all +1 or
    // all -1, the truth's all 0. A unit direction u then projects them to +-sum(u) against 0: W1 =
    // |sum(u)| = sqrt(d) |u . e|, which for u uniform on the sphere of d = 7*7*3 = 147 dimensions
    // has mean close to sqrt(2 / pi) (within 0.2%); 512 directions leave a standard error of 27
    // on the x 1e3 scale.
    assertEquals(1000 * Math.sqrt(2 / Math.PI), scores.swd(0), 100);
    assertEquals(2L, report.entries().get("sr_samples"));
  }

  @Test
  void aMaskLimitsTheScoresToTheHoleAndLargeImagesGetSsim() {
    int size = 16;
    float[] truth = new float[size * size];
    float[] candidate = truth.clone();
    float[] mask = new float[size * size];
    for (int p = 0; p < mask.length; p++) {
      mask[p] = p < mask.length / 2 ? 1f : 0f;
      candidate[p] = p < mask.length / 2 ? 0.2f : 0.9f;  // wrong outside the hole only by far
    }
    CandidateScores scores = new CandidateScores(List.of("model"), size, 1);
    scores.add(truth, mask, candidate);
    assertEquals(20, scores.psnr(0), 1e-4);
    assertFalse(Double.isNaN(scores.ssim(0)));
    MetricsReport report = new MetricsReport();
    scores.put(report, "hole");
    assertEquals(List.of("hole_psnr_model", "hole_ssim_model", "hole_swd_model", "hole_samples"),
        List.copyOf(report.entries().keySet()));
  }
}
