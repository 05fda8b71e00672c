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
    return load(file, ConfigOverrides.NONE);
  }

  /** Reads {@code file} with command-line overrides, applied before the defaults and the validation. */
  public static ExperimentConfig load(Path file, ConfigOverrides overrides) {
    return parse(read(file), file.toString(), overrides);
  }

  /** Parses config text; {@code source} names it in error messages. */
  public static ExperimentConfig parse(String text, String source) {
    return parse(text, source, ConfigOverrides.NONE);
  }

  /** Parses config text and applies {@code overrides}; {@code source} names the text in error messages. */
  public static ExperimentConfig parse(String text, String source, ConfigOverrides overrides) {
    ExperimentConfig.Builder builder = merge(text, source);
    overrides.applyTo(builder);
    ConfigDefaults.apply(builder);
    ExperimentConfig config = builder.build();
    ConfigValidator.validate(config, source + overrides.describe());
    return config;
  }

  /**
   * What a run records as its config: the file as written, or, with overrides, the file with them
   * applied (a comment names both; defaults are left to loading, as in the file). Loading it gives
   * the config {@link #load(Path, ConfigOverrides)} gives, so resuming with the same command finds
   * the run's config unchanged.
   */
  public static String effectiveText(Path file, ConfigOverrides overrides) {
    String text = read(file);
    if (overrides.isEmpty()) {
      return text;
    }
    ExperimentConfig.Builder builder = merge(text, file.toString());
    overrides.applyTo(builder);
    return "# " + file + overrides.describe() + "\n" + toText(builder.build());
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new ConfigException(file + ": no such config file");
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot read: " + e.getMessage(), e);
    }
  }

  private static ExperimentConfig.Builder merge(String text, String source) {
    ExperimentConfig.Builder builder = ExperimentConfig.newBuilder();
    try {
      TextFormat.getParser().merge(text, builder);
    } catch (TextFormat.ParseException e) {
      throw new ConfigException(source + ":" + e.getLine() + ":" + e.getColumn() + ": "
          + stripPosition(e.getMessage()), e);
    }
    return builder;
  }

  public static String toText(ExperimentConfig config) {
    return TextFormat.printer().printToString(config);
  }

  private static String stripPosition(String message) {
    // protobuf prefixes "line:column: "; we print our own, with the file name.
    return message.replaceFirst("^\\d+:\\d+: ", "");
  }
}
