package org.diffusiondepot.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Label dropout: the null class replaces a label with probability p, independently per example. */
class ClassInputsTest {
  @Test
  void nullLabelFractionMatchesTheDropoutProbability() {
    ClassInputs inputs = new ClassInputs(8, 3, 3, 0.1, 7);
    int[] labels = new int[256];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = i % 3;
    }
    long nulls = 0;
    long total = 0;
    for (long step = 0; step < 200; step++) {
      int[] dropped = inputs.dropLabels(labels, labels.length, step);
      for (int i = 0; i < dropped.length; i++) {
        assertTrue(dropped[i] == labels[i] || dropped[i] == 3, "a label is kept or becomes the null class");
        nulls += dropped[i] == 3 ? 1 : 0;
        total++;
      }
    }
    double fraction = (double) nulls / total;
    // binomial: n = 51200, p = 0.1 -> standard deviation 0.0013; allow 5 of them
    assertEquals(0.1, fraction, 0.0066);
  }

  @Test
  void deterministicPerStepAndDifferentAcrossSteps() {
    ClassInputs inputs = new ClassInputs(8, 3, 3, 0.5, 7);
    int[] labels = new int[64];
    assertArrayEquals(inputs.dropLabels(labels, 64, 5), inputs.dropLabels(labels, 64, 5));
    assertFalse(Arrays.equals(inputs.dropLabels(labels, 64, 5), inputs.dropLabels(labels, 64, 6)));
  }

  @Test
  void noDropoutWithoutGuidanceTraining() {
    ClassInputs inputs = new ClassInputs(8, 3, 3, 0.0, 7);
    int[] labels = {0, 1, 2, 2, 1, 0};
    assertArrayEquals(labels, inputs.dropLabels(labels, 6, 11));
  }
}
