package org.diffusiondepot.eval;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What a saved {@link ShapeClassifier} needs besides its weights: input resolution and channels,
 * the stage widths of its network and its class names in label order. Stored beside the
 * checkpoint as a small text file of {@code key = value} lines, one {@code class = NAME} per class.
 */
record ClassifierSpec(int resolution, int channels, int[] widths, List<String> classNames) {
  static final String FILE = "classifier.txt";

  ClassifierSpec {
    if (resolution < 1 || channels < 1 || widths.length == 0 || classNames.size() < 2) {
      throw new IllegalArgumentException("a classifier needs a positive resolution and channel count, at least one "
          + "stage and two classes, got " + resolution + ", " + channels + ", " + Arrays.toString(widths) + ", "
          + classNames);
    }
    widths = widths.clone();
    classNames = List.copyOf(classNames);
  }

  int classes() {
    return classNames.size();
  }

  String toText() {
    StringBuilder out = new StringBuilder("# org.diffusiondepot.eval.ShapeClassifier\n");
    out.append("resolution = ").append(resolution).append('\n');
    out.append("channels = ").append(channels).append('\n');
    out.append("widths = ").append(String.join(",", Arrays.stream(widths).mapToObj(Integer::toString).toList()))
        .append('\n');
    for (String name : classNames) {
      out.append("class = ").append(name).append('\n');
    }
    return out.toString();
  }

  static ClassifierSpec read(Path dir) throws IOException {
    Path file = dir.resolve(FILE);
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(file.toString(), null, "no saved classifier in " + dir + " (expected " + FILE
          + " and a checkpoint written by ShapeClassifier.save)");
    }
    Integer resolution = null;
    Integer channels = null;
    int[] widths = null;
    List<String> classes = new ArrayList<>();
    for (String line : lines) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int eq = line.indexOf('=');
      if (eq < 0) {
        throw new IOException(file + ": expected 'key = value', got: " + line);
      }
      String key = line.substring(0, eq).trim();
      String value = line.substring(eq + 1).trim();
      try {
        switch (key) {
          case "resolution" -> resolution = Integer.parseInt(value);
          case "channels" -> channels = Integer.parseInt(value);
          case "widths" -> widths = Arrays.stream(value.split(",")).map(String::trim).mapToInt(Integer::parseInt)
              .toArray();
          case "class" -> classes.add(value);
          default -> throw new IOException(file + ": unknown key '" + key + "'");
        }
      } catch (NumberFormatException e) {
        throw new IOException(file + ": '" + key + "' needs a number, got '" + value + "'", e);
      }
    }
    if (resolution == null || channels == null || widths == null) {
      throw new IOException(file + " lacks one of resolution, channels, widths");
    }
    try {
      return new ClassifierSpec(resolution, channels, widths, classes);
    } catch (IllegalArgumentException e) {
      throw new IOException(file + ": " + e.getMessage(), e);
    }
  }
}
