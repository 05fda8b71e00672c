package org.diffusiondepot.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.diffusiondepot.image.ImagesTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderDatasetTest {

  @Test
  void findsNestedImagesAndLabelsThemByParentFolder(@TempDir Path root) throws IOException {
    TestImages.writeSolid(root.resolve("train/cat/a.png"), Color.RED);
    TestImages.writeSolid(root.resolve("train/dog/b.JPG"), Color.GREEN);
    TestImages.writeSolid(root.resolve("val/cat/c.jpeg"), Color.BLUE);
    TestImages.writeSolid(root.resolve("val/wild/deep/d.PNG"), Color.WHITE);
    Files.writeString(root.resolve("train/cat/notes.txt"), "not an image");
    TestImages.writeSolid(root.resolve("train/cat/._a.png"), Color.BLACK);
    TestImages.writeSolid(root.resolve(".cache/cat/e.png"), Color.BLACK);

    ImageFolderDataset ds = ImageFolderDataset.open(root, 4, 3);

    assertEquals(4, ds.size());
    assertEquals(List.of("cat", "deep", "dog"), ds.classNames());
    List<String> keys = new ArrayList<>();
    List<Integer> labels = new ArrayList<>();
    for (int i = 0; i < ds.size(); i++) {
      keys.add(ds.stableKey(i));
      labels.add(ds.get(i).label());
      assertTrue(Path.of(ds.describe(i)).isAbsolute());
      assertTrue(ds.describe(i).endsWith(keys.get(i).replace('/', root.getFileSystem().getSeparator().charAt(0))));
    }
    assertEquals(List.of("train/cat/a.png", "train/dog/b.JPG", "val/cat/c.jpeg", "val/wild/deep/d.PNG"), keys);
    assertEquals(List.of(0, 2, 0, 1), labels);
    assertArrayEquals(new float[] {1, -1, -1}, ImagesTest.pixel(ds.get(0).pixels(), 4, 3, 2, 2), 1e-6f);
  }

  @Test
  void anImageDirectlyInTheRootMakesTheSetUnlabeled(@TempDir Path root) throws IOException {
    TestImages.writeSolid(root.resolve("cat/a.png"), Color.RED);
    TestImages.writeSolid(root.resolve("b.png"), Color.RED);
    ImageFolderDataset ds = ImageFolderDataset.open(root, 4, 1);
    assertEquals(List.of(), ds.classNames());
    assertEquals(-1, ds.get(0).label());
    assertEquals(-1, ds.get(1).label());
    assertEquals(16, ds.get(0).pixels().length);
  }

  @Test
  void emptyFolderIsRejectedByName(@TempDir Path root) throws IOException {
    Path empty = Files.createDirectory(root.resolve("empty"));
    Files.writeString(empty.resolve("readme.txt"), "no images here");
    DataException e = assertThrows(DataException.class, () -> ImageFolderDataset.open(empty, 32, 3));
    assertTrue(e.getMessage().contains(empty.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("no PNG or JPEG images found"), e.getMessage());
  }

  @Test
  void missingFolderAndPlainFileAreRejectedByName(@TempDir Path root) throws IOException {
    Path missing = root.resolve("missing");
    DataException e = assertThrows(DataException.class, () -> ImageFolderDataset.open(missing, 32, 3));
    assertTrue(e.getMessage().contains(missing.toString()) && e.getMessage().contains("does not exist"),
        e.getMessage());
    Path file = Files.writeString(root.resolve("file.png"), "x");
    e = assertThrows(DataException.class, () -> ImageFolderDataset.open(file, 32, 3));
    assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("not a directory"),
        e.getMessage());
  }

  @Test
  void undecodableFilesThrowIoExceptionNamingTheFile(@TempDir Path root) throws IOException {
    List<Path> corrupt = TestImages.writeCorrupt(root);
    ImageFolderDataset ds = ImageFolderDataset.open(root, 8, 3);
    assertEquals(3, ds.size());
    for (int i = 0; i < ds.size(); i++) {
      int index = i;
      IOException e = assertThrows(IOException.class, () -> ds.get(index));
      assertTrue(e.getMessage().contains(ds.describe(i)), e.getMessage());
      assertTrue(corrupt.contains(Path.of(ds.describe(i))), ds.describe(i));
    }
  }
}
