package org.diffusiondepot.cli;

import java.util.List;
import org.diffusiondepot.config.ConfigLoader;
import org.diffusiondepot.proto.ExperimentConfig;
import org.diffusiondepot.proto.Precision;
import org.diffusiondepot.proto.TrainConfig;
import org.diffusiondepot.runtime.Devices;
import org.diffusiondepot.runtime.OptionException;

/**
 * The command-line shortcuts for a step's layout ({@code --precision}, {@code --devices N},
 * {@code --accumulation K}, {@code --batch}) applied to a config and validated with it, so a
 * layout that does not divide the batch fails as the config field would.
 */
final class Layouts {
  private Layouts() {}

  static ExperimentConfig override(ExperimentConfig config, Precision precision, Integer devices, Integer accumulation,
      Integer batch) {
    if (precision == null && devices == null && accumulation == null && batch == null) {
      return config;
    }
    TrainConfig.Builder train = config.getTrain().toBuilder();
    if (precision != null) {
      train.setPrecision(precision);
    }
    if (devices != null) {
      train.clearDevices().addAllDevices(deviceNames(devices));
    }
    if (accumulation != null) {
      train.setAccumulationSteps(accumulation);
    }
    if (batch != null) {
      train.setBatchSize(batch);
    }
    ExperimentConfig changed = config.toBuilder().setTrain(train).build();
    return ConfigLoader.parse(ConfigLoader.toText(changed), "the command line's layout options");
  }

  static List<String> deviceNames(int count) {
    if (count < 1) {
      throw new OptionException("--devices must be at least 1, got " + count);
    }
    return Devices.replicas(count);
  }
}
