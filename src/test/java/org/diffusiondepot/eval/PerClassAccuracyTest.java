package org.diffusiondepot.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class PerClassAccuracyTest {
  private static final List<String> CLASSES = List.of("cat", "dog", "wild");

  @Test
  void countsPerIntendedClassAndOverall() {
    int[] intended = {0, 0, 0, 0, 1, 1};
    int[] predicted = {0, 0, 0, 1, 1, 2};
    PerClassAccuracy acc = PerClassAccuracy.of(predicted, intended, CLASSES);
    assertEquals(0.75, acc.accuracy(0), 1e-12);
    assertEquals(0.5, acc.accuracy(1), 1e-12);
    assertTrue(Double.isNaN(acc.accuracy(2)), "no samples of 'wild'");
    assertEquals(4.0 / 6, acc.overall(), 1e-12);
    assertArrayEquals(new int[] {3, 1, 0}, acc.confusion()[0]);
    assertEquals(6, acc.total());
  }

  @Test
  void tableShowsEveryClassAndTheTotal() {
    PerClassAccuracy acc = PerClassAccuracy.of(new int[] {0, 1, 1}, new int[] {0, 1, 2}, CLASSES);
    String table = acc.toString();
    assertTrue(table.contains("class"), table);
    assertTrue(table.lines().anyMatch(l -> l.startsWith("cat ") && l.contains("100.0%")), table);
    assertTrue(table.lines().anyMatch(l -> l.startsWith("wild ") && l.contains("0.0%")), table);
    assertTrue(table.lines().anyMatch(l -> l.startsWith("overall") && l.contains("66.7%")), table);
  }

  @Test
  void goesIntoAReport() {
    MetricsReport report = new MetricsReport();
    PerClassAccuracy.of(new int[] {0, 1}, new int[] {0, 0}, CLASSES).addTo(report);
    assertEquals(0.5, report.value("accuracy"), 1e-12);
    assertEquals(2, report.value("accuracy_cat_samples"), 0);
    assertTrue(report.toJson().contains("\"accuracy_dog\": null"), report.toJson());
  }

  @Test
  void rejectsLabelsOutsideTheClasses() {
    assertThrows(IllegalArgumentException.class, () -> PerClassAccuracy.of(new int[] {3}, new int[] {0}, CLASSES));
    assertThrows(IllegalArgumentException.class, () -> PerClassAccuracy.of(new int[] {0}, new int[] {0, 1}, CLASSES));
  }
}
