package org.diffusiondepot.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.diffusiondepot.proto.ExperimentConfig;
import org.diffusiondepot.proto.InpaintingConfig;
import org.diffusiondepot.proto.Task;
import org.diffusiondepot.proto.VarianceType;
import org.diffusiondepot.sampler.DdimSampler;
import org.diffusiondepot.sampler.DdpmSampler;
import org.diffusiondepot.sampler.DpmPlusPlus2MSampler;
import org.diffusiondepot.sampler.HeunSampler;
import org.diffusiondepot.sampler.Sampler;
import org.diffusiondepot.sampler.StepListener;
import org.diffusiondepot.schedule.NoiseSchedule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * RePaint's resampling with the ideal denoiser of flat images: every image is one value v ~ N(0,
 * s^2) at all its pixels, so E[x_0 | x_t] is the posterior mean of v given the mean of x_t. The
 * denoiser does not see the mask (as in RePaint, an unconditional model): only the replaced known
 * pixels tell the chain what v is, and the hole should come out at the known pixels' value, which
 * the known half of a flat image fixes exactly.
 */
class ResamplingTest {
  static final NoiseSchedule SCHEDULE = NoiseSchedule.of(NoiseSchedule.linearBetas(1000, 1e-4, 0.02), VarianceType.SAME);
  static final double S = 0.5;
  static final int SIZE = 8;
  static final int PIXELS = SIZE * SIZE;
  static final int BATCH = 64;

  static NoisePredictor flatImages(AtomicInteger calls) {
    return (x, t, condition, batch) -> {
      calls.incrementAndGet();
      float[] eps = new float[x.length];
      for (int b = 0; b < batch; b++) {
        double a = SCHEDULE.sqrtAlphaCumprod(t[b]);
        double noise = SCHEDULE.sqrtOneMinusAlphaCumprod(t[b]);
        double mean = 0;
        for (int p = 0; p < PIXELS; p++) {
          mean += x[b * PIXELS + p] / PIXELS;
        }
        // mean = a v + noise * (mean of PIXELS unit Gaussians): v's posterior mean given it.
        double v = a * S * S * mean / (a * a * S * S + noise * noise / PIXELS);
        for (int p = 0; p < PIXELS; p++) {
          eps[b * PIXELS + p] = (float) ((x[b * PIXELS + p] - a * v) / noise);
        }
      }
      return eps;
    };
  }

  /** Known images: image b flat at a value drawn from the data; the hole is the top half. */
  static KnownRegion region(int passes, float[] values) {
    float[] image = new float[BATCH * PIXELS];
    float[] mask = new float[BATCH * PIXELS];
    for (int b = 0; b < BATCH; b++) {
      for (int p = 0; p < PIXELS; p++) {
        image[b * PIXELS + p] = values[b];
        mask[b * PIXELS + p] = p < PIXELS / 2 ? 1f : 0f;
      }
    }
    return new KnownRegion(SCHEDULE, image, mask, SIZE, 1, passes);
  }

  /** Root mean square gap between the hole's pixels and the image's known value. */
  static double holeError(float[] x, float[] values) {
    double sum = 0;
    for (int b = 0; b < BATCH; b++) {
      for (int p = 0; p < PIXELS / 2; p++) {
        double d = x[b * PIXELS + p] - values[b];
        sum += d * d;
      }
    }
    return Math.sqrt(sum / (BATCH * PIXELS / 2));
  }

  static Stream<Arguments> samplers() {
    return Stream.of(
        Arguments.of("DDPM", new DdpmSampler(SCHEDULE, false)),
        Arguments.of("DDIM eta 1", new DdimSampler(SCHEDULE, 25, 1.0, false)),
        Arguments.of("DDIM eta 0", new DdimSampler(SCHEDULE, 25, 0.0, false)),
        Arguments.of("DPM-Solver++(2M)", new DpmPlusPlus2MSampler(SCHEDULE, 20, DpmPlusPlus2MSampler.Spacing.LOG_SNR,
            false)),
        Arguments.of("Heun", new HeunSampler(SCHEDULE, 20, false)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("samplers")
  void resamplingKeepsTheKnownPixelsAndHarmonisesTheHole(String name, Sampler sampler) {
    Random random = new Random(4);
    float[] values = new float[BATCH];
    for (int b = 0; b < BATCH; b++) {
      values[b] = (float) (S * random.nextGaussian());
    }
    double[] errors = new double[2];
    int[] passes = {1, 4};
    for (int k = 0; k < passes.length; k++) {
      AtomicInteger calls = new AtomicInteger();
      AtomicInteger evaluations = new AtomicInteger();
      float[] x = sampler.sample(flatImages(calls), BATCH, SIZE, 1, Conditioning.none(), 9,
          StepListener.everyEvaluation(evaluations::incrementAndGet), region(passes[k], values));
      // Heun evaluates twice in every step but its last (an Euler step), the others once.
      int perStep = sampler instanceof HeunSampler ? 2 : 1;
      int steps = sampler.timesteps().length;
      assertEquals(passes[k] * perStep * (steps - 1) + 1, calls.get(), name + ": the last step is not repeated");
      assertEquals(calls.get(), sampler.evaluations(passes[k]), name + ": what progress bars count");
      assertEquals(calls.get(), evaluations.get(), name);
      for (int b = 0; b < BATCH; b++) {
        for (int p = PIXELS / 2; p < PIXELS; p++) {
          assertEquals(values[b], x[b * PIXELS + p], 0f, "known pixels come back exactly");
        }
      }
      errors[k] = holeError(x, values);
    }
    assertTrue(errors[1] < 0.7 * errors[0], name + ": resampled hole error " + errors[1] + " vs " + errors[0]);
  }

  /**
   * The sampler's side of a pass, seen by a sampler whose step sets x to C and marks its x_0
   * estimate with the step's number: between passes, x is C re-noised by q(x_t | x_s), i.e. of
   * mean sqrt(abar_t / abar_s) C and std sqrt(1 - abar_t / abar_s); every pass of a step starts
   * from the previous step's x_0 estimate (what a multistep solver extrapolates from), not from
   * the one its own earlier pass left; the listener sees each step once.
   */
  @Test
  void retakesStartFromTheStepsStartNoiseLevelAndHistory() {
    final float c = 0.5f;
    int[] ts = {700, 300, 0};
    List<float[]> xs = new ArrayList<>();
    List<float[]> x0s = new ArrayList<>();
    List<Integer> indices = new ArrayList<>();
    Sampler marking = new Sampler(SCHEDULE, false) {
      @Override
      public int[] timesteps() {
        return ts.clone();
      }

      @Override
      protected void step(int index, float[] x, float[] eps, float[] x0, Random random) {
        indices.add(index);
        xs.add(x.clone());
        x0s.add(x0.clone());
        java.util.Arrays.fill(x, c);
        java.util.Arrays.fill(x0, index + 1);
      }
    };
    StepConstraint threePasses = new StepConstraint() {
      @Override
      public void apply(float[] x, int t, Random random) { }

      @Override
      public int passes() {
        return 3;
      }
    };
    AtomicInteger steps = new AtomicInteger();
    NoisePredictor zero = (x, t, condition, batch) -> new float[x.length];
    marking.sample(zero, 16, 32, 1, Conditioning.none(), 1,
        (index, total, t, xPrev, x0) -> assertEquals(steps.getAndIncrement(), index), threePasses);
    assertEquals(List.of(0, 0, 0, 1, 1, 1, 2), indices);
    assertEquals(3, steps.get());
    assertEquals(7, marking.evaluations(3));
    for (int k = 0; k < indices.size(); k++) {
      int index = indices.get(k);
      for (float v : x0s.get(k)) {
        assertEquals(index, v, 0f, "pass " + k + " sees the x_0 estimate of step " + (index - 1));
      }
      boolean retake = k > 0 && indices.get(k - 1) == index;
      if (retake) {
        double kept = SCHEDULE.alphaCumprod(ts[index]) / SCHEDULE.alphaCumprod(ts[index + 1]);
        float[] x = xs.get(k);
        double mean = java.util.Arrays.stream(toDoubles(x)).average().orElseThrow();
        double sd = Math.sqrt(java.util.Arrays.stream(toDoubles(x)).map(v -> (v - mean) * (v - mean)).sum() / x.length);
        // 16384 values: standard errors of 0.008 (mean) and 0.006 (std) at most.
        assertEquals(Math.sqrt(kept) * c, mean, 0.04, "pass " + k);
        assertEquals(Math.sqrt(1 - kept), sd, 0.03, "pass " + k);
      }
    }
  }

  private static double[] toDoubles(float[] x) {
    double[] out = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      out[i] = x[i];
    }
    return out;
  }

  /** inpainting.resamplings reaches the constraint (0 and 1 both mean one pass). */
  @Test
  void theTaskTakesItsPassesFromTheConfig() {
    for (int[] resamplingsAndPasses : new int[][] {{0, 1}, {1, 1}, {10, 10}}) {
      ExperimentConfig config = ExperimentConfig.newBuilder().setTask(Task.INPAINTING)
          .setData(org.diffusiondepot.proto.DataConfig.newBuilder().setResolution(SIZE).setChannels(1))
          .setInpainting(InpaintingConfig.newBuilder().setMinMaskRatio(0.2).setMaxMaskRatio(0.5)
              .setResamplings(resamplingsAndPasses[0]))
          .build();
      InpaintingTask task = new InpaintingTask(config);
      assertEquals(resamplingsAndPasses[1], task.samplingPasses());
      StepConstraint constraint = task.constraint(SCHEDULE, Conditioning.ofInpainting(new float[PIXELS],
          new float[PIXELS]));
      assertEquals(resamplingsAndPasses[1], constraint.passes());
    }
  }
}
