package org.diffusiondepot.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.diffusiondepot.config.ConfigException;
import org.diffusiondepot.proto.ModelCard;
import org.diffusiondepot.run.RunDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** eval holds a model out against the data its run trained on unless --data says otherwise. */
class EvaluationDataSourceTest {
  @TempDir Path dir;

  @Test
  void theRunRecordsItsFolderAbsolutelyAndEvalUsesIt() throws Exception {
    Path images = Files.createDirectories(dir.resolve("photos"));
    RunDirectory run = new RunDirectory(dir.resolve("run"));
    Files.createDirectories(run.root());
    run.recordDataSource(images.toString());
    String recorded = run.dataSource().orElseThrow();
    assertEquals(images.toAbsolutePath().normalize().toString(), recorded);
    ModelCard card = ModelCard.newBuilder().setTrainingData(recorded).build();
    assertEquals(recorded, ModelEvaluation.dataSource(null, card, dir.resolve("export")));
    assertEquals("builtin", ModelEvaluation.dataSource("builtin", card, dir.resolve("export")), "--data wins");
  }

  @Test
  void aRelativeFolderIsRecordedAsAnAbsolutePath() throws Exception {
    RunDirectory run = new RunDirectory(dir.resolve("run"));
    Files.createDirectories(run.root());
    run.recordDataSource("some/relative/../folder");
    assertEquals(Path.of("some/folder").toAbsolutePath().toString(), run.dataSource().orElseThrow());
    run.recordDataSource("builtin");
    assertEquals("builtin", run.dataSource().orElseThrow());
  }

  @Test
  void aCardWithoutItsDataOrWithAMovedFolderAsksForDataByName() {
    ConfigException none = assertThrows(ConfigException.class,
        () -> ModelEvaluation.dataSource(null, ModelCard.getDefaultInstance(), dir.resolve("old-export")));
    assertTrue(none.getMessage().contains("--data") && none.getMessage().contains("old-export"), none.getMessage());
    String gone = dir.resolve("moved-away").toString();
    ConfigException moved = assertThrows(ConfigException.class,
        () -> ModelEvaluation.dataSource(null, ModelCard.newBuilder().setTrainingData(gone).build(), dir));
    assertTrue(moved.getMessage().contains(gone) && moved.getMessage().contains("--data"), moved.getMessage());
  }
}
