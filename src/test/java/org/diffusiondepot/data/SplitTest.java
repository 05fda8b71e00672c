package org.diffusiondepot.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

class SplitTest {

  /** A data set that only has names: Split never decodes anything. */
  static ImageDataset named(int size, IntFunction<String> name) {
    return new ImageDataset() {
      @Override
      public int size() {
        return size;
      }

      @Override
      public int resolution() {
        return 1;
      }

      @Override
      public int channels() {
        return 1;
      }

      @Override
      public List<String> classNames() {
        return List.of();
      }

      @Override
      public Example get(int index) {
        throw new UnsupportedOperationException();
      }

      @Override
      public String describe(int index) {
        return name.apply(index);
      }
    };
  }

  @Test
  void deterministicDisjointCompleteAndNearTheRatio() {
    ImageDataset ds = named(1000, i -> "img/" + i + ".png");
    Split split = Split.of(ds, 0.8, 42);
    Split again = Split.of(ds, 0.8, 42);
    assertArrayEquals(split.train(), again.train());
    assertArrayEquals(split.validation(), again.validation());

    Set<Integer> all = new HashSet<>();
    Arrays.stream(split.train()).forEach(all::add);
    Arrays.stream(split.validation()).forEach(i -> assertTrue(all.add(i), "index " + i + " on both sides"));
    assertEquals(1000, all.size());
    assertEquals(800, split.train().length, 30);

    assertFalse(Arrays.equals(split.validation(), Split.of(ds, 0.8, 43).validation()));
  }

  @Test
  void addingFilesLeavesExistingAssignmentsAlone() {
    Split small = Split.of(named(500, i -> "img/" + i + ".png"), 0.9, 7);
    // Same files plus 300 more, listed interleaved so every index moves.
    ImageDataset larger = named(800, i -> i % 8 < 5 ? "img/" + (i / 8 * 5 + i % 8) + ".png" : "new/" + i + ".png");
    Split big = Split.of(larger, 0.9, 7);
    Set<String> bigValidation = new HashSet<>();
    Arrays.stream(big.validation()).forEach(i -> bigValidation.add(larger.describe(i)));
    Set<String> smallValidation = new HashSet<>();
    Arrays.stream(small.validation()).forEach(i -> smallValidation.add("img/" + i + ".png"));
    for (int i = 0; i < 500; i++) {
      String name = "img/" + i + ".png";
      assertEquals(smallValidation.contains(name), bigValidation.contains(name), name);
    }
  }

  @Test
  void tinySetsKeepOneValidationItem() {
    for (int size = 2; size < 6; size++) {
      Split split = Split.of(named(size, i -> "x" + i), 0.99, 1);
      assertEquals(1, split.validation().length);
      assertEquals(size - 1, split.train().length);
      split = Split.of(named(size, i -> "x" + i), 0.01, 1);
      assertTrue(split.train().length >= 1);
    }
    Split single = Split.of(named(1, i -> "only"), 0.5, 1);
    assertEquals(1, single.train().length);
    assertEquals(0, single.validation().length);
  }

  @Test
  void fractionMustLeaveBothSides() {
    assertThrows(IllegalArgumentException.class, () -> Split.of(named(10, i -> "x" + i), 1.0, 1));
    assertThrows(IllegalArgumentException.class, () -> Split.of(named(10, i -> "x" + i), 0.0, 1));
  }
}
