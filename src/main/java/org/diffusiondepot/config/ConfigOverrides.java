package org.diffusiondepot.config;

import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.TextFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.diffusiondepot.proto.ExperimentConfig;

/**
 * Config fields set on the command line ({@code --set train.batch_size=8}), applied as if the file
 * had been edited: after the file is parsed and before defaults and validation, so an override is
 * defaulted and checked exactly like the file's own value.
 * <p>
 * A path is a field's text-format name, with dots into nested blocks ({@code model.block}); a
 * value is written as in the file: {@code 8}, {@code 1e-3}, {@code COSINE}, {@code true},
 * {@code [16, 8]} or {@code []}, {@code { min_mask_ratio: 0.1 max_mask_ratio: 0.3 }}, and text
 * with or without quotes. A list or a block replaces the field's whole value: text format would
 * append to a repeated field and merge into a block, which is never what an override means.
 * Later overrides of the same field win.
 */
public final class ConfigOverrides {
  /** No overrides: the file as written. */
  public static final ConfigOverrides NONE = new ConfigOverrides(List.of());

  private final List<Assignment> assignments;

  private record Assignment(String text, String path, String value) {}

  private ConfigOverrides(List<Assignment> assignments) {
    this.assignments = List.copyOf(assignments);
  }

  /** Parses {@code FIELD=VALUE} assignments; whether the fields exist is checked when they are applied. */
  public static ConfigOverrides parse(List<String> assignments) {
    List<Assignment> parsed = new ArrayList<>();
    for (String text : assignments) {
      int eq = text.indexOf('=');
      if (eq <= 0) {
        throw new ConfigException("--set " + text + ": expected FIELD=VALUE, e.g. --set train.batch_size=8");
      }
      parsed.add(new Assignment(text, text.substring(0, eq).strip(), text.substring(eq + 1).strip()));
    }
    return new ConfigOverrides(parsed);
  }

  public boolean isEmpty() {
    return assignments.isEmpty();
  }

  /** {@code " with --set a=1 --set b=2"}, or nothing: appended to the file name in messages and records. */
  public String describe() {
    return assignments.stream().map(a -> " --set " + a.text().replace('\n', ' '))
        .collect(Collectors.joining("", isEmpty() ? "" : " with", ""));
  }

  /** Sets every overridden field of {@code config}, in order. */
  void applyTo(ExperimentConfig.Builder config) {
    for (Assignment a : assignments) {
      apply(config, a);
    }
  }

  private static void apply(ExperimentConfig.Builder config, Assignment a) {
    String[] names = a.path().split("\\.", -1);
    Message.Builder block = config;
    String blockPath = "";
    for (int i = 0; i < names.length - 1; i++) {
      FieldDescriptor field = field(block, names[i], blockPath, a);
      if (field.getJavaType() != FieldDescriptor.JavaType.MESSAGE || field.isRepeated()) {
        throw fail(a, (blockPath + names[i]) + " is " + describe(field) + ", not a block with fields");
      }
      block = block.getFieldBuilder(field);
      blockPath += names[i] + ".";
    }
    FieldDescriptor field = field(block, names[names.length - 1], blockPath, a);
    Message.Builder parsed = block.getDefaultInstanceForType().newBuilderForType();
    try {
      TextFormat.getParser().merge(field.getName() + ": " + quoteIfText(field, a.value()), parsed);
    } catch (TextFormat.ParseException e) {
      throw fail(a, "expected " + describe(field) + ", got " + a.value());
    }
    if (parsed.getAllFields().keySet().stream().anyMatch(f -> !f.equals(field))) {
      // "8 iterations: 5" would set a second field unseen
      throw fail(a, "expected one value, " + describe(field) + ", got " + a.value());
    }
    // setField replaces a list or a block as a whole, where the text-format parser appends or merges
    block.setField(field, parsed.getField(field));
  }

  private static FieldDescriptor field(Message.Builder block, String name, String blockPath, Assignment a) {
    FieldDescriptor field = block.getDescriptorForType().findFieldByName(name);
    if (field == null) {
      String owner = blockPath.isEmpty() ? "the config" : blockPath.substring(0, blockPath.length() - 1);
      String known = block.getDescriptorForType().getFields().stream().map(FieldDescriptor::getName)
          .collect(Collectors.joining(", "));
      throw fail(a, owner + " has no field '" + name + "'; its fields are " + known);
    }
    return field;
  }

  /** Text fields may be given bare (--set name=lhq): the parser needs the quotes. */
  private static String quoteIfText(FieldDescriptor field, String value) {
    boolean bare = !value.startsWith("\"") && !value.startsWith("'");
    if (field.getJavaType() == FieldDescriptor.JavaType.STRING && !field.isRepeated() && bare) {
      return "\"" + TextFormat.escapeDoubleQuotesAndBackslashes(value) + "\"";
    }
    return value;
  }

  /** What a value of {@code field} looks like, for messages: "an integer", "one of LINEAR, COSINE". */
  private static String describe(FieldDescriptor field) {
    if (field.isRepeated()) {
      String values = switch (field.getJavaType()) {
        case INT, LONG -> "integers, such as [16, 8],";
        case FLOAT, DOUBLE -> "numbers, such as [0.5, 1],";
        case ENUM -> "values among " + enumValues(field) + ",";
        default -> describeOne(field) + " values";
      };
      return "a list of " + values + " in brackets ([] for none)";
    }
    return describeOne(field);
  }

  private static String describeOne(FieldDescriptor field) {
    return switch (field.getJavaType()) {
      case INT, LONG -> "an integer";
      case FLOAT, DOUBLE -> "a number";
      case BOOLEAN -> "true or false";
      case STRING -> "text";
      case BYTE_STRING -> "bytes";
      case ENUM -> "one of " + enumValues(field);
      case MESSAGE -> "a block { ... } of " + field.getMessageType().getName() + " fields";
    };
  }

  /** The enum's values but its UNSPECIFIED zero, which the validator refuses anyway. */
  private static String enumValues(FieldDescriptor field) {
    return field.getEnumType().getValues().stream().filter(v -> v.getNumber() != 0)
        .map(EnumValueDescriptor::getName).collect(Collectors.joining(", "));
  }

  private static ConfigException fail(Assignment a, String problem) {
    return new ConfigException("--set " + a.text() + ": " + problem);
  }
}
