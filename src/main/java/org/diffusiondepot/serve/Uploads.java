package org.diffusiondepot.serve;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.diffusiondepot.image.InputImages;
import org.diffusiondepot.runtime.UserError;
import org.diffusiondepot.sampler.SamplingException;

/**
 * Uploaded images to model inputs, by exactly the rules of {@code depot-sample}: the bytes are
 * written to a private temporary folder under the uploaded names and read by {@link InputImages},
 * the class behind {@code --image}, {@code --mask} and {@code --low-res}. So an image of another
 * size is resized with the same note, a mask of another shape than its image or an empty mask is
 * refused with the same message, and the pixels are those the command line would read from the
 * same files. Messages and notes name the uploads, not the temporary folder.
 */
final class Uploads {
  /** The name a painted mask is uploaded under, and offered back as. */
  static final String MASK_NAME = "mask.png";

  private Uploads() {}

  static InputImages.Inpainting inpainting(Upload image, Upload mask, int size, int channels, List<String> notes) {
    return withFiles(List.of(image, mask), notes, files -> InputImages.inpainting(files.get(0), files.get(1), size,
        channels, notes::add));
  }

  static float[] lowRes(Upload image, int size, int channels, List<String> notes) {
    return withFiles(List.of(image), notes, files -> InputImages.lowRes(files.get(0), size, channels, notes::add));
  }

  /** Fails as {@code --image} does when the upload is not a PNG or JPEG image. */
  static void checkReadable(Upload image) {
    withFiles(List.of(image), new java.util.ArrayList<>(), files -> InputImages.read(files.get(0)));
  }

  /** Writes each upload to its own subfolder (two uploads may share a name), applies {@code read}, cleans up. */
  private static <T> T withFiles(List<Upload> uploads, List<String> notes, Function<List<Path>, T> read) {
    Path dir;
    try {
      dir = Files.createTempDirectory("depot-serve-upload");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary folder for an upload", e);
    }
    int notesBefore = notes.size();
    try {
      List<Path> files = new java.util.ArrayList<>();
      for (int i = 0; i < uploads.size(); i++) {
        Path file = dir.resolve(Integer.toString(i)).resolve(uploads.get(i).name());
        Files.createDirectories(file.getParent());
        Files.write(file, uploads.get(i).bytes());
        files.add(file);
      }
      try {
        return read.apply(files);
      } catch (UserError e) {
        throw new SamplingException(withoutFolder(e.getMessage(), dir));
      } finally {
        for (int i = notesBefore; i < notes.size(); i++) {
          notes.set(i, withoutFolder(notes.get(i), dir));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write an upload to " + dir, e);
    } finally {
      deleteQuietly(dir);
    }
  }

  /** "/tmp/depot-serve-upload123/1/mask.png is empty" to "mask.png is empty". */
  private static String withoutFolder(String message, Path dir) {
    return message.replaceAll(java.util.regex.Pattern.quote(dir.toString()) + "[/\\\\]\\d+[/\\\\]", "");
  }

  private static void deleteQuietly(Path dir) {
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a leftover temporary folder is harmless; the request's answer matters more
    }
  }
}
