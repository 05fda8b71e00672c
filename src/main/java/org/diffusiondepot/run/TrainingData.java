package org.diffusiondepot.run;

import java.nio.file.Path;
import java.util.List;
import org.diffusiondepot.config.ConfigException;
import org.diffusiondepot.data.BuiltinShapes;
import org.diffusiondepot.data.ImageDataset;
import org.diffusiondepot.data.ImageFolderDataset;
import org.diffusiondepot.data.Split;
import org.diffusiondepot.proto.ExperimentConfig;
import org.diffusiondepot.proto.Task;
import org.diffusiondepot.task.DiffusionTask;

/** The images a run trains on, opened from {@code --data}: a folder, or "builtin". */
public record TrainingData(ImageDataset dataset, Split split, String source) {
  public static final String BUILTIN = "builtin";
  /** Size of the built-in data set: enough variety for the demos, cheap to generate. */
  public static final int BUILTIN_SIZE = 6000;

  public static TrainingData open(String spec, ExperimentConfig config) {
    int resolution = config.getData().getResolution();
    int channels = config.getData().getChannels();
    ImageDataset ds = BUILTIN.equals(spec)
        ? new BuiltinShapes(resolution, channels, BUILTIN_SIZE, config.getData().getSplitSeed())
        : ImageFolderDataset.open(Path.of(spec), resolution, channels);
    if (config.getTask() != Task.FIRST_STAGE && DiffusionTask.of(config, List.of(), null).classCount() > 0) {
      List<String> names = ds.classNames();
      int expected = config.getClasses().getNumClasses();
      if (names.isEmpty()) {
        throw new ConfigException(spec + ": a class-conditional config needs one subfolder per class "
            + "(e.g. train/cat, train/dog, train/wild); found images without a class folder");
      }
      if (names.size() != expected) {
        throw new ConfigException(spec + ": found " + names.size() + " classes " + names
            + " but classes.num_classes is " + expected);
      }
    }
    Split split = Split.of(ds, config.getData().getTrainFraction(), config.getData().getSplitSeed());
    return new TrainingData(ds, split, spec);
  }
}
