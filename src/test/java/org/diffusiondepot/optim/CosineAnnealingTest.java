package org.diffusiondepot.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class CosineAnnealingTest {
  static final double MAX = 1e-4;
  static final double MIN = 1e-10;

  @Test
  void twoCyclesStartHighPassTheMiddleAndEndLow() {
    // 1000 steps, 2 cycles of 500: lr(p) = min + (max - min) (1 + cos(pi p)) / 2
    CosineAnnealing lr = new CosineAnnealing(MAX, MIN, 1000, 2, 0);
    assertEquals(500, lr.cycleLength());
    for (int cycleStart : new int[] {0, 500}) {
      assertEquals(MAX, lr.at(cycleStart), 1e-18, "restart at " + cycleStart);
      assertEquals((MAX + MIN) / 2, lr.at(cycleStart + 250), 1e-18, "middle of the cycle");
      double end = MIN + (MAX - MIN) * 0.5 * (1 + Math.cos(Math.PI * 499 / 500));
      assertEquals(end, lr.at(cycleStart + 499), 1e-18, "last step of the cycle");
      assertEquals(MIN, lr.at(cycleStart + 499), 2e-5 * MAX, "the end is within 0.002% of max above eta_min");
    }
    assertEquals(MIN + (MAX - MIN) * 0.5 * (1 + Math.cos(Math.PI * 0.25)), lr.at(125), 1e-18);
  }

  @Test
  void oneCycleAnnealsOverTheWholeRun() {
    CosineAnnealing lr = new CosineAnnealing(MAX, MIN, 300, 1, 0);
    assertEquals(MAX, lr.at(0), 0);
    assertEquals((MAX + MIN) / 2, lr.at(150), 1e-18);
    for (int s = 1; s < 300; s++) {
      assertEquals(true, lr.at(s) < lr.at(s - 1), "monotone within a cycle");
    }
  }

  @Test
  void unevenRunsRoundTheCycleUp() {
    CosineAnnealing lr = new CosineAnnealing(MAX, MIN, 1001, 3, 0);
    assertEquals(334, lr.cycleLength());
    assertEquals(MAX, lr.at(334), 0);
    assertEquals(MAX, lr.at(668), 0);
  }

  @Test
  void warmupRampsLinearlyIntoTheSchedule() {
    CosineAnnealing lr = new CosineAnnealing(MAX, MIN, 1000, 1, 100);
    CosineAnnealing plain = new CosineAnnealing(MAX, MIN, 1000, 1, 0);
    assertEquals(plain.at(0) / 100, lr.at(0), 1e-20);
    assertEquals(plain.at(49) * 50 / 100, lr.at(49), 1e-20);
    assertEquals(plain.at(100), lr.at(100), 0);
  }

  @Test
  void pastTheIterationsTheRateStaysAtItsMinimum() {
    CosineAnnealing lr = new CosineAnnealing(MAX, MIN, 1000, 2, 10);
    double last = MIN + (MAX - MIN) * 0.5 * (1 + Math.cos(Math.PI * 499 / 500));
    assertEquals(last, lr.at(999), 1e-18, "the last scheduled step is the end of the second cycle");
    for (long step : new long[] {1000, 1001, 1500, 2000, 2050, 1_000_000}) {
      assertEquals(MIN, lr.at(step), 0, "no restart at step " + step);
    }
    assertEquals(1000, lr.end());
  }
}
