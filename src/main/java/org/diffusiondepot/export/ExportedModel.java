package org.diffusiondepot.export;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.diffusiondepot.nn.VariableStore;
import org.diffusiondepot.proto.ModelCard;
import org.tensorflow.Signature;
import org.tensorflow.op.Ops;

/**
 * What one kind of export contributes to the {@link SavedModelExport} template: its inference
 * graph with the signatures of the {@link org.diffusiondepot.task.ExportContract}, and the card
 * fields of its kind of model. The diffusion {@link Exporter} and the first-stage exporter
 * implement it; the template owns everything else (config, checkpoint, staging, restore, card file,
 * publishing), so that sequence exists once.
 */
public interface ExportedModel {
  /** The root of the variable names the run's checkpoint saved the weights to export under. */
  String weightsRoot();

  /**
   * Builds the inference graph on {@code tf} (no optimizer, losses or dropout), taking every
   * weight from {@code weights} so that the checkpoint restores into it, and returns the
   * signatures to export.
   */
  List<Signature> build(Ops tf, VariableStore weights);

  /**
   * The card fields particular to this kind of model. The template adds what every card has:
   * name, task, trained steps, parameter count, source config and creation time. Called after the
   * SavedModel is written to {@code staging}, so it may add files beside it.
   */
  ModelCard.Builder card(Path staging) throws IOException;

  /** What the line printed after a successful export says about it, e.g. "EMA weights of step 5". */
  String summary(ModelCard card);
}
