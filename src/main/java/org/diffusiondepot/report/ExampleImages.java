package org.diffusiondepot.report;

import java.nio.file.Files;
import java.nio.file.Path;
import org.diffusiondepot.config.ConfigException;
import org.diffusiondepot.data.Batch;
import org.diffusiondepot.data.BatchLoader;
import org.diffusiondepot.data.BuiltinShapes;
import org.diffusiondepot.data.DataException;
import org.diffusiondepot.data.ImageDataset;
import org.diffusiondepot.data.ImageFolderDataset;
import org.diffusiondepot.data.Split;
import org.diffusiondepot.proto.DataConfig;
import org.diffusiondepot.proto.ExperimentConfig;
import org.diffusiondepot.run.TrainingData;

/**
 * The run's images, opened as training opens them (same split), for the forward process and the
 * conditional panels. A run does not record its --data folder, so unless the report is told, the
 * folder is taken from the config's data.dataset when that names a folder that exists; otherwise
 * the built-in shapes at the model's resolution stand in, and {@link #note} says so.
 *
 * @param note why these are not the run's own images, or null when they are
 */
record ExampleImages(TrainingData data, String description, String note) {

  static ExampleImages open(ExperimentConfig config, int resolution, int channels, String spec) {
    String dataset = config == null ? "" : config.getData().getDataset();
    String chosen = spec;
    String note = null;
    if (chosen == null) {
      if (TrainingData.BUILTIN.equals(dataset) || (!dataset.isEmpty() && Files.isDirectory(Path.of(dataset)))) {
        chosen = dataset;
      } else {
        chosen = TrainingData.BUILTIN;
        note = "The data folder of this run is not recorded (its config says data.dataset = \"" + dataset
            + "\"), so the built-in shapes at the model's resolution (" + resolution + "x" + resolution
            + ") stand in for its images. Tell the report the folder (ReportOptions.data) to see the real ones.";
      }
    }
    if (!TrainingData.BUILTIN.equals(chosen)) {
      try {
        TrainingData data = config != null ? TrainingData.open(chosen, config)
            : plain(ImageFolderDataset.open(Path.of(chosen), resolution, channels), null, chosen);
        return new ExampleImages(data, "folder " + chosen + " (" + data.dataset().size() + " images)", note);
      } catch (ConfigException | DataException | IllegalArgumentException e) {
        note = "Could not open the data folder " + chosen + " (" + e.getMessage() + "), so the built-in shapes at "
            + "the model's resolution stand in for its images.";
      }
    }
    long seed = config == null ? 0 : config.getData().getSplitSeed();
    TrainingData data = plain(new BuiltinShapes(resolution, channels, TrainingData.BUILTIN_SIZE, seed), config,
        TrainingData.BUILTIN);
    return new ExampleImages(data, "built-in shapes, " + resolution + "x" + resolution, note);
  }

  /**
   * Images split as the config's data splits them (0.9 for training without a config), opened
   * without the checks of the config's task: the built-in shapes have three classes, which need not
   * match the model's, and the report never needs their labels.
   */
  private static TrainingData plain(ImageDataset dataset, ExperimentConfig config, String source) {
    DataConfig data = config == null ? DataConfig.newBuilder().setTrainFraction(0.9).build() : config.getData();
    return new TrainingData(dataset, Split.of(dataset, data.getTrainFraction(), data.getSplitSeed()), source);
  }

  int resolution() {
    return data.dataset().resolution();
  }

  int channels() {
    return data.dataset().channels();
  }

  /** The first {@code count} training images, unflipped. */
  Batch training(int count) {
    return BatchLoader.load(data.dataset(), data.split().train(), 0, count);
  }

  /** The first {@code count} validation images (training images if the split has none). */
  Batch validation(int count) {
    int[] indices = data.split().validation();
    return BatchLoader.load(data.dataset(), indices.length > 0 ? indices : data.split().train(), 0, count);
  }
}
