package org.diffusiondepot.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import javax.imageio.ImageIO;
import org.diffusiondepot.image.Images;

/**
 * PNG and JPEG files anywhere under a folder. An image's class is the name of the folder that holds
 * it, so AFHQ's train/cat/x.png and val/cat/y.png are both "cat"; if any image sits directly in the
 * root the set is unlabeled. Files and folders whose names start with "." are ignored: they are
 * macOS "._x.png" resource forks, notebook checkpoints and the like, never training data.
 */
public final class ImageFolderDataset implements ImageDataset {
  private static final String EXPECTED = "a folder of PNG or JPEG images";

  private final Path root;
  private final List<Path> files;
  private final List<String> keys;
  private final int[] labels;
  private final List<String> classNames;
  private final int resolution;
  private final int channels;

  private ImageFolderDataset(Path root, List<Path> files, int resolution, int channels) {
    this.root = root;
    this.files = List.copyOf(files);
    this.resolution = resolution;
    this.channels = channels;
    List<String> keys = new ArrayList<>();
    TreeSet<String> names = new TreeSet<>();
    boolean anyInRoot = false;
    for (Path file : files) {
      keys.add(relativeKey(root, file));
      if (file.getParent().equals(root)) {
        anyInRoot = true;
      } else {
        names.add(file.getParent().getFileName().toString());
      }
    }
    this.keys = List.copyOf(keys);
    this.classNames = anyInRoot ? List.of() : List.copyOf(names);
    this.labels = new int[files.size()];
    for (int i = 0; i < files.size(); i++) {
      labels[i] = classNames.isEmpty() ? -1 : classNames.indexOf(files.get(i).getParent().getFileName().toString());
    }
  }

  /**
   * Lists every *.png, *.jpg and *.jpeg (any case) under {@code root}, recursively and in a fixed
   * order. Nothing is decoded yet: unreadable files surface later, one at a time, from get().
   */
  public static ImageFolderDataset open(Path root, int resolution, int channels) {
    Images.checkChannels(channels);
    if (resolution < 1) {
      throw new IllegalArgumentException("resolution must be positive, got " + resolution);
    }
    Path dir = root.toAbsolutePath().normalize();
    if (!Files.exists(dir)) {
      throw new DataException("image folder " + dir + " does not exist (expected " + EXPECTED + ")");
    }
    if (!Files.isDirectory(dir)) {
      throw new DataException("image folder " + dir + " is not a directory (expected " + EXPECTED + ")");
    }
    List<Path> files = listImages(dir);
    if (files.isEmpty()) {
      throw new DataException("no PNG or JPEG images found under " + dir
          + " (searched recursively for *.png, *.jpg, *.jpeg)");
    }
    return new ImageFolderDataset(dir, files, resolution, channels);
  }

  private static List<Path> listImages(Path dir) {
    List<Path> files = new ArrayList<>();
    try {
      // Follows links so a folder of symlinked datasets works; loops are skipped, not fatal.
      Files.walkFileTree(dir, EnumSet.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
              return !d.equals(dir) && isHidden(d) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
              if (attrs.isRegularFile() && !isHidden(file) && isImageName(file)) {
                files.add(file);
              }
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
              if (e instanceof FileSystemLoopException) {
                return FileVisitResult.CONTINUE;
              }
              throw e;
            }
          });
    } catch (IOException e) {
      throw new DataException("cannot list image folder " + dir + ": " + e, e);
    } catch (UncheckedIOException e) {
      throw new DataException("cannot list image folder " + dir + ": " + e.getCause(), e);
    }
    // Sorted by the path below the root with '/' separators: the same order on every machine.
    files.sort(Comparator.comparing(file -> relativeKey(dir, file)));
    return files;
  }

  private static boolean isHidden(Path path) {
    return path.getFileName().toString().startsWith(".");
  }

  private static boolean isImageName(Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    return name.endsWith(".png") || name.endsWith(".jpg") || name.endsWith(".jpeg");
  }

  private static String relativeKey(Path root, Path file) {
    return root.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
  }

  public Path root() {
    return root;
  }

  @Override
  public int size() {
    return files.size();
  }

  @Override
  public int resolution() {
    return resolution;
  }

  @Override
  public int channels() {
    return channels;
  }

  @Override
  public List<String> classNames() {
    return classNames;
  }

  @Override
  public Example get(int index) throws IOException {
    Path file = files.get(index);
    return new Example(Images.fromImage(decode(file), resolution, channels), labels[index]);
  }

  /** Decodes with ImageIO; every failure becomes an IOException that names the file. */
  static BufferedImage decode(Path file) throws IOException {
    BufferedImage img;
    try {
      if (Files.size(file) == 0) {
        throw new IOException("cannot decode image " + file + ": the file is empty");
      }
      img = ImageIO.read(file.toFile());
    } catch (IOException e) {
      if (e.getMessage() != null && e.getMessage().contains(file.toString())) {
        throw e;
      }
      throw new IOException("cannot decode image " + file + ": " + describeFailure(e), e);
    } catch (RuntimeException e) {
      // Decoders report some corrupt headers as IllegalArgumentException and the like.
      throw new IOException("cannot decode image " + file + ": " + describeFailure(e), e);
    }
    if (img == null) {
      throw new IOException("cannot decode image " + file + ": not a PNG or JPEG image ImageIO can read");
    }
    return img;
  }

  private static String describeFailure(Throwable e) {
    StringBuilder text = new StringBuilder(String.valueOf(e.getMessage()));
    // "Error reading PNG image data" alone hides the useful part, e.g. an EOFException below it.
    for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
      text.append(" (").append(cause.getClass().getSimpleName());
      if (cause.getMessage() != null) {
        text.append(": ").append(cause.getMessage());
      }
      text.append(')');
    }
    return text.toString();
  }

  @Override
  public String describe(int index) {
    return files.get(index).toString();
  }

  /** The path below the root, so moving the folder does not change the train/validation split. */
  @Override
  public String stableKey(int index) {
    return keys.get(index);
  }
}
