package org.diffusiondepot.task;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** eps = eps_uncond + w (eps_cond - eps_uncond), both passes in one batch. */
class GuidedPredictorTest {
  @Test
  void combinesConditionalAndUnconditionalInOneBatchedCall() {
    int nullClass = 3;
    int[] calls = {0};
    // a fake network whose prediction encodes the label: eps = x + 10 * label
    NoisePredictor fake = (xt, t, condition, batch) -> {
      calls[0]++;
      assertEquals(4, batch, "the conditional and unconditional halves go in one call");
      assertArrayEquals(new int[] {1, 2, nullClass, nullClass}, condition.labels());
      assertArrayEquals(new int[] {7, 7, 7, 7}, t);
      float[] out = new float[xt.length];
      int per = xt.length / batch;
      for (int i = 0; i < xt.length; i++) {
        out[i] = xt[i] + 10f * condition.labels()[i / per];
      }
      return out;
    };
    double w = 2.5;
    float[] x = {0.5f, -1f, 2f, 0f};
    float[] eps = new GuidedPredictor(fake, w, nullClass).predict(x, new int[] {7, 7}, Conditioning.ofLabels(new int[] {1, 2}), 2);
    assertEquals(1, calls[0]);
    for (int i = 0; i < 4; i++) {
      int label = i < 2 ? 1 : 2;
      double conditional = x[i] + 10.0 * label;
      double unconditional = x[i] + 10.0 * nullClass;
      assertEquals(unconditional + w * (conditional - unconditional), eps[i], 1e-4);
    }
  }

  @Test
  void scaleOneIsTheConditionalAndZeroTheUnconditional() {
    float[] stacked = {1f, 2f, 5f, 7f};
    assertArrayEquals(new float[] {1f, 2f}, GuidedPredictor.combine(stacked, 2, 1.0));
    assertArrayEquals(new float[] {5f, 7f}, GuidedPredictor.combine(stacked, 2, 0.0));
  }
}
