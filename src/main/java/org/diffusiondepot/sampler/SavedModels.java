package org.diffusiondepot.sampler;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import org.diffusiondepot.runtime.SessionConfigs;
import org.diffusiondepot.task.ExportContract;
import org.tensorflow.SavedModelBundle;

/**
 * Opens the SavedModel of an export the one way both model loaders need: with the contract's tag
 * and the shared session settings, checking that the signatures they call are there. TensorFlow's
 * failures (a folder without saved_model.pb, a wrong tag, a missing signature) become one
 * {@link SamplingException} naming the folder, instead of surfacing later as a failed call.
 */
final class SavedModels {
  private SavedModels() {}

  /**
   * @param what how messages name the model, e.g. "first stage"
   * @param signatures the signature keys the caller will call
   */
  static SavedModelBundle open(Path dir, String what, String... signatures) {
    if (!Files.isRegularFile(dir.resolve("variables").resolve("variables.index"))) {
      // TensorFlow would load the graph and fail at the first call with an uninitialised variable
      throw new SamplingException("the " + what + " in " + dir + " has no weights (variables/variables.index is "
          + "missing); export the run again with tools/depot export");
    }
    SavedModelBundle bundle;
    try {
      bundle = SavedModelBundle.loader(dir.toString()).withTags(ExportContract.TAG)
          .withConfigProto(SessionConfigs.sampling()).load();
    } catch (RuntimeException e) {
      throw new SamplingException("cannot load the " + what + " in " + dir + ": " + e.getMessage());
    }
    Set<String> present = new TreeSet<>(bundle.metaGraphDef().getSignatureDefMap().keySet());
    for (String signature : signatures) {
      if (!present.contains(signature)) {
        bundle.close();
        throw new SamplingException("the " + what + " in " + dir + " has no '" + signature + "' signature (it has "
            + present + "); export the run again with tools/depot export");
      }
    }
    return bundle;
  }
}
