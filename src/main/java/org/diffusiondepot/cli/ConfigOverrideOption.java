package org.diffusiondepot.cli;

import java.util.ArrayList;
import java.util.List;
import org.diffusiondepot.config.ConfigOverrides;
import picocli.CommandLine.Option;

/** {@code --set FIELD=VALUE}, repeatable, for the commands that read a config (train, describe, bench). */
final class ConfigOverrideOption {
  @Option(names = "--set", paramLabel = "FIELD=VALUE", description = "set a config field as if edited in the file "
      + "(repeatable): --set train.batch_size=8 --set 'model.attention_resolutions=[16, 8]'; a list or a block "
      + "replaces the field's value")
  List<String> assignments = new ArrayList<>();

  ConfigOverrides overrides() {
    return ConfigOverrides.parse(assignments);
  }

  /** The --set assignments followed by {@code more} (e.g. the layout shortcuts), which win. */
  ConfigOverrides overrides(List<String> more) {
    List<String> all = new ArrayList<>(assignments);
    all.addAll(more);
    return ConfigOverrides.parse(all);
  }
}
