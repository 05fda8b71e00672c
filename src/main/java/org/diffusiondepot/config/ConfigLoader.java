package org.diffusiondepot.config;

import com.google.protobuf.TextFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.diffusiondepot.proto.ExperimentConfig;

/**
 * Reads an experiment config in protobuf text format, fills the documented defaults and validates
 * every field, so that a bad config fails at load time and not hours into a run.
 */
public final class ConfigLoader {
  private ConfigLoader() {}

  public static ExperimentConfig load(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new ConfigException(file + ": no such config file");
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot read: " + e.getMessage(), e);
    }
    return parse(text, file.toString());
  }

  /** Parses config text; {@code source} names it in error messages. */
  public static ExperimentConfig parse(String text, String source) {
    ExperimentConfig.Builder builder = ExperimentConfig.newBuilder();
    try {
      TextFormat.getParser().merge(text, builder);
    } catch (TextFormat.ParseException e) {
      throw new ConfigException(source + ":" + e.getLine() + ":" + e.getColumn() + ": "
          + stripPosition(e.getMessage()), e);
    }
    ConfigDefaults.apply(builder);
    ExperimentConfig config = builder.build();
    ConfigValidator.validate(config, source);
    return config;
  }

  public static String toText(ExperimentConfig config) {
    return TextFormat.printer().printToString(config);
  }

  private static String stripPosition(String message) {
    // protobuf prefixes "line:column: "; we print our own, with the file name.
    return message.replaceFirst("^\\d+:\\d+: ", "");
  }
}
