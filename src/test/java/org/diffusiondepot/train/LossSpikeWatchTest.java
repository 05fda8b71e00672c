package org.diffusiondepot.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A loss that rises above factor x its best so far is reported once; noise and slow drifts are not. */
class LossSpikeWatchTest {
  @Test
  void aRiseAboveTheFactorIsReportedOnceWithTheStep() {
    LossSpikeWatch watch = new LossSpikeWatch("validation loss", 3, 0);
    double[] values = {0.8, 0.3, 0.1, 0.09, 0.2, 0.25, 0.26};
    for (int i = 0; i < values.length; i++) {
      assertEquals(Optional.empty(), watch.observe(i, values[i]), "below 3 x 0.09 at " + i);
    }
    Optional<String> alert = watch.observe(100, 0.3);
    assertTrue(alert.isPresent() && alert.get().contains("step 100") && alert.get().contains("validation loss"),
        alert.toString());
    assertEquals(Optional.empty(), watch.observe(101, 0.9), "reported once");
  }

  @Test
  void smoothingIgnoresASingleNoisyInterval() {
    LossSpikeWatch watch = new LossSpikeWatch("training loss", 3, 0.7);
    for (int i = 0; i < 20; i++) {
      assertEquals(Optional.empty(), watch.observe(i, 0.1));
    }
    // one interval at 4x: the average moves to 0.19, below 3 x 0.1
    assertEquals(Optional.empty(), watch.observe(20, 0.4));
    assertEquals(Optional.empty(), watch.observe(21, 0.1));
    // a lasting rise gets through the smoothing
    Optional<String> alert = Optional.empty();
    for (int i = 22; i < 40 && alert.isEmpty(); i++) {
      alert = watch.observe(i, 0.9);
    }
    assertTrue(alert.isPresent());
  }

  @Test
  void factorZeroNeverReports() {
    LossSpikeWatch watch = new LossSpikeWatch("training loss", 0, 0);
    watch.observe(0, 0.01);
    assertEquals(Optional.empty(), watch.observe(1, 100));
  }
}
