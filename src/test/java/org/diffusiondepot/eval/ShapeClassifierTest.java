package org.diffusiondepot.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.diffusiondepot.data.Batch;
import org.diffusiondepot.data.BatchLoader;
import org.diffusiondepot.data.BuiltinShapes;
import org.diffusiondepot.data.Split;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A test-sized training run on the built-in shapes at 16x16, then a save/load round trip. */
class ShapeClassifierTest {
  @Test
  void learnsTheShapesAndSurvivesASaveAndLoad(@TempDir Path dir) throws Exception {
    BuiltinShapes ds = new BuiltinShapes(16, 3, 1500, 0);
    Split split = Split.of(ds, 0.9, 0);
    AtomicLong lastStep = new AtomicLong();
    try (ShapeClassifier trained = ShapeClassifier.train(ds, split.train(), 300, 64, 1, lastStep::set)) {
      assertEquals(300, lastStep.get());
      PerClassAccuracy validation = trained.evaluate(ds, split.validation());
      assertTrue(validation.overall() >= 0.8, "validation accuracy after 300 steps:\n" + validation);

      trained.save(dir);
      assertTrue(Files.exists(dir.resolve("classifier.txt")) && Files.exists(dir.resolve("classifier.index")));
      Batch batch = BatchLoader.load(ds, split.validation(), 0, 40);
      try (ShapeClassifier loaded = ShapeClassifier.load(dir)) {
        assertEquals(ds.classNames(), loaded.classNames());
        assertEquals(16, loaded.resolution());
        assertEquals(3, loaded.channels());
        assertArrayEquals(trained.predict(batch.images(), batch.size()), loaded.predict(batch.images(), batch.size()));
        assertEquals(validation.overall(), loaded.accuracy(ds, split.validation()), 1e-12);
      }
    }
  }

  @Test
  void learningRateWarmsUpThenDecaysToZero() {
    assertEquals(2e-3 / 5, ShapeClassifier.learningRate(0, 100), 1e-12);
    assertEquals(2e-3, ShapeClassifier.learningRate(5, 100), 1e-12);
    assertTrue(ShapeClassifier.learningRate(99, 100) < 1e-5);
  }

  @Test
  void loadingFromAnEmptyDirectorySaysWhatIsMissing(@TempDir Path empty) {
    NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> ShapeClassifier.load(empty));
    assertTrue(e.getMessage().contains("classifier.txt"), e.getMessage());
  }
}
