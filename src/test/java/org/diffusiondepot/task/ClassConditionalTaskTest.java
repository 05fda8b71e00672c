package org.diffusiondepot.task;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.diffusiondepot.config.ConfigLoader;
import org.junit.jupiter.api.Test;

/** Label dropout: the null class replaces a label with probability p, independently per example. */
class ClassConditionalTaskTest {
  static ClassConditionalTask task(double dropout) {
    return (ClassConditionalTask) DiffusionTask.of(ConfigLoader.parse("""
        name: "t" task: CLASS_CONDITIONAL
        model { base_channels: 8 channel_mults: [1] block: RESNET_3X3 }
        diffusion { beta_schedule: LINEAR variance: SAME }
        data { resolution: 8 }
        classes { num_classes: 3 classifier_free_guidance: true label_dropout: %s }
        train { seed: 7 batch_size: 4 iterations: 10 }
        """.formatted(dropout), "test"), java.util.List.of("a", "b", "c"), null);
  }

  static int[] drop(ClassConditionalTask task, int[] labels, long step) {
    return task.forTraining(null, labels, labels.length, step, 0).labels();
  }

  @Test
  void rowsOfABatchDrawTheirDropoutAsTheWholeBatchDoes() {
    ClassConditionalTask inputs = task(0.5);
    int[] labels = new int[16];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = i % 3;
    }
    int[] whole = drop(inputs, labels, 5);
    int[] tail = inputs.forTraining(null, java.util.Arrays.copyOfRange(labels, 6, 16), 10, 5, 6).labels();
    org.junit.jupiter.api.Assertions.assertArrayEquals(java.util.Arrays.copyOfRange(whole, 6, 16), tail);
    // the draws do depend on the row: the tail drawn as rows 0..9 differs
    int[] shifted = inputs.forTraining(null, java.util.Arrays.copyOfRange(labels, 6, 16), 10, 5, 0).labels();
    org.junit.jupiter.api.Assertions.assertFalse(java.util.Arrays.equals(tail, shifted));
  }

  @Test
  void nullLabelFractionMatchesTheDropoutProbability() {
    ClassConditionalTask inputs = task(0.1);
    int[] labels = new int[256];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = i % 3;
    }
    long nulls = 0;
    long total = 0;
    for (long step = 0; step < 200; step++) {
      int[] dropped = drop(inputs, labels, step);
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
    ClassConditionalTask inputs = task(0.5);
    int[] labels = new int[64];
    assertArrayEquals(drop(inputs, labels, 5), drop(inputs, labels, 5));
    assertFalse(Arrays.equals(drop(inputs, labels, 5), drop(inputs, labels, 6)));
  }

  @Test
  void noDropoutWithoutGuidanceTraining() {
    ClassConditionalTask inputs = task(0.0);
    int[] labels = {0, 1, 2, 2, 1, 0};
    assertArrayEquals(labels, drop(inputs, labels, 11));
  }
}
