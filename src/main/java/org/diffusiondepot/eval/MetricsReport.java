package org.diffusiondepot.eval;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.diffusiondepot.runtime.OptionException;

/**
 * Named results of an evaluation, in insertion order, written as one flat JSON object such as
 * {@code {"model": "exports/demo", "swd": 12.3, "swd_samples": 256, "fid": null}}. Metric values are
 * doubles, sample counts are integers, and text entries say what was evaluated. JSON has no NaN or
 * infinity, so those are written as null (e.g. the PSNR of identical images, or an accuracy of a
 * class with no samples). Putting a name again replaces its value in place.
 */
public final class MetricsReport {
  private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeNulls().disableHtmlEscaping()
      .create();

  private final Map<String, Object> entries = new LinkedHashMap<>();

  public MetricsReport put(String name, double value) {
    entries.put(checkName(name), value);
    return this;
  }

  public MetricsReport count(String name, long count) {
    entries.put(checkName(name), count);
    return this;
  }

  public MetricsReport text(String name, String value) {
    entries.put(checkName(name), value);
    return this;
  }

  /** Name to Double, Long or String, in insertion order. */
  public Map<String, Object> entries() {
    return Collections.unmodifiableMap(entries);
  }

  /** A metric or count as a double; NaN if absent or text. */
  public double value(String name) {
    Object v = entries.get(name);
    return v instanceof Number n ? n.doubleValue() : Double.NaN;
  }

  /** The entries as one JSON object, pretty-printed; a non-finite metric is written as null. */
  public String toJson() {
    Map<String, Object> json = new LinkedHashMap<>();
    entries.forEach((name, v) -> json.put(name, v instanceof Double d && !Double.isFinite(d) ? null : v));
    return GSON.toJson(json) + "\n";
  }

  /**
   * Writes the JSON through a temporary file, so a reader never sees half a report. The file is
   * the user's (eval's --out, or beside their export): a path that cannot be written (permission
   * denied, a file where a folder should be) is an {@link OptionException} naming it.
   */
  public void write(Path file) throws IOException {
    Path absolute = file.toAbsolutePath();
    try {
      Files.createDirectories(absolute.getParent());
      Path tmp = absolute.resolveSibling(".tmp-" + absolute.getFileName());
      Files.writeString(tmp, toJson(), StandardCharsets.UTF_8);
      try {
        Files.move(tmp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, absolute, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (FileSystemException e) {
      throw OptionException.of("the metrics file", file, e);
    }
  }

  @Override
  public String toString() {
    return toJson();
  }

  private static String checkName(String name) {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("a metric needs a name");
    }
    return name;
  }
}
