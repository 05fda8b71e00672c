package org.diffusiondepot.sampler;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.diffusiondepot.proto.ModelCard;
import org.diffusiondepot.runtime.Tensors;
import org.diffusiondepot.schedule.NoiseSchedule;
import org.diffusiondepot.task.Conditioning;
import org.diffusiondepot.task.ConditioningException;
import org.diffusiondepot.task.DiffusionTask;
import org.diffusiondepot.task.ExportContract;
import org.diffusiondepot.task.NoisePredictor;
import org.diffusiondepot.task.VelocityPrediction;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.SessionFunction;
import org.tensorflow.Tensor;
import org.tensorflow.types.TFloat32;

/**
 * An exported model: the SavedModel's {@code denoise} function plus its model card. This is the
 * entry point of the sampler library:
 * <pre>
 *   try (DepotModel model = DepotModel.load(Path.of("exports/demo"))) {
 *     Samples samples = model.sampling().count(8).ddim(50).seed(42).run();
 *     List&lt;BufferedImage&gt; images = samples.images();
 *   }
 * </pre>
 */
public final class DepotModel implements NoisePredictor, AutoCloseable {
  private final Path directory;
  private final ModelCard card;
  private final SavedModelBundle bundle;
  private final SessionFunction denoise;
  private final NoiseSchedule schedule;
  private final FirstStageModel firstStage;
  private final DiffusionTask task;

  private DepotModel(Path directory, ModelCard card, NoiseSchedule schedule, SavedModelBundle bundle,
      FirstStageModel firstStage) {
    this.directory = directory;
    this.card = card;
    this.bundle = bundle;
    this.denoise = bundle.function(ExportContract.DENOISE);
    this.schedule = schedule;
    this.firstStage = firstStage;
    this.task = DiffusionTask.of(ModelCards.sourceConfig(card, directory), card.getClassNamesList(), firstStage);
  }

  public static DepotModel load(Path exportDir) throws IOException {
    if (!Files.isDirectory(exportDir)) {
      throw new SamplingException("no export at " + exportDir + " (expected a directory written by "
          + "tools/depot export)");
    }
    ModelCard card = ModelCards.read(exportDir);
    if (!card.hasDiffusion()) {
      throw new SamplingException(exportDir + " holds a " + card.getTask() + " model, not a diffusion model: "
          + "its " + ModelCards.FILE + " has no diffusion settings to sample with");
    }
    NoiseSchedule schedule;
    try {
      schedule = NoiseSchedule.fromConfig(card.getDiffusion());
    } catch (IllegalArgumentException e) {
      // the exporter writes valid settings: only an edited or damaged card gets here
      throw new SamplingException(exportDir.resolve(ModelCards.FILE) + ": unusable diffusion settings: "
          + e.getMessage());
    }
    SavedModelBundle bundle = SavedModels.open(exportDir, "SavedModel", ExportContract.DENOISE);
    FirstStageModel firstStage = null;
    if (card.getFirstStageFactor() > 0) {
      try {
        firstStage = FirstStageModel.load(exportDir.resolve(ExportContract.FIRST_STAGE_DIR));
      } catch (RuntimeException | IOException e) {
        bundle.close();
        throw new SamplingException("the super-resolution export " + exportDir + " lacks its first stage ("
            + ExportContract.FIRST_STAGE_DIR + "/): " + e.getMessage());
      }
    }
    return new DepotModel(exportDir, card, schedule, bundle, firstStage);
  }

  /** The VQGAN that decodes latents of a super-resolution model, or null. */
  public FirstStageModel firstStage() {
    return firstStage;
  }

  public Path directory() {
    return directory;
  }

  public ModelCard card() {
    return card;
  }

  public NoiseSchedule schedule() {
    return schedule;
  }

  /** What the model generates and how it is conditioned. */
  public DiffusionTask task() {
    return task;
  }

  /** A new sampling request on this model with the card's defaults. */
  public Sampling sampling() {
    return new Sampling(this);
  }

  @Override
  public float[] predict(float[] xt, int[] t, Conditioning condition, int batch) {
    int size = task.modelSize();
    int channels = task.modelChannels();
    Map<String, Tensor> inputs = new HashMap<>();
    try {
      inputs.put(ExportContract.X_T, Tensors.of(xt, batch, size, size, channels));
      inputs.put(ExportContract.T, Tensors.of(t, batch));
      try {
        inputs.putAll(task.feeds(condition, batch));
      } catch (ConditioningException e) {
        throw new SamplingException(e.getMessage());
      }
      try (Result result = denoise.call(inputs)) {
        float[] output = Tensors.floats((TFloat32) result.get(ExportContract.EPS).orElseThrow());
        return VelocityPrediction.asNoise(output, xt, t, batch, schedule, card.getDiffusion().getPrediction());
      }
    } finally {
      inputs.values().forEach(Tensor::close);
    }
  }

  @Override
  public void close() {
    bundle.close();
    if (firstStage != null) {
      firstStage.close();
    }
  }
}
