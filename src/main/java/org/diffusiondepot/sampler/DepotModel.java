package org.diffusiondepot.sampler;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.diffusiondepot.proto.ModelCard;
import org.diffusiondepot.runtime.Tensors;
import org.diffusiondepot.schedule.NoiseSchedule;
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

  private DepotModel(Path directory, ModelCard card, NoiseSchedule schedule, SavedModelBundle bundle,
      FirstStageModel firstStage) {
    this.directory = directory;
    this.card = card;
    this.bundle = bundle;
    this.denoise = bundle.function(ExportContract.DENOISE);
    this.schedule = schedule;
    this.firstStage = firstStage;
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
    if (card.getTask() == org.diffusiondepot.proto.Task.SUPER_RESOLUTION) {
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

  /** A new sampling request on this model with the card's defaults. */
  public Sampling sampling() {
    return new Sampling(this);
  }

  @Override
  public float[] predict(float[] xt, int[] t, Conditioning condition, int batch) {
    int size = card.getModelSize();
    int channels = card.getModelChannels();
    Map<String, Tensor> inputs = new HashMap<>();
    List<Tensor> owned = new ArrayList<>();
    try {
      put(inputs, owned, ExportContract.X_T, Tensors.of(xt, batch, size, size, channels));
      put(inputs, owned, ExportContract.T, Tensors.of(t, batch));
      var expected = denoise.signature().inputNames();
      if (expected.contains("label")) {
        put(inputs, owned, "label", Tensors.of(require(condition.labels(), "class labels"), batch));
      }
      if (expected.contains("masked_image")) {
        put(inputs, owned, "masked_image", Tensors.of(require(condition.maskedImage(), "an image to inpaint"),
            batch, size, size, channels));
        put(inputs, owned, "mask", Tensors.of(require(condition.mask(), "a mask"), batch, size, size, 1));
      }
      if (expected.contains("low_res")) {
        float[] low = require(condition.lowRes(), "a low-resolution image");
        put(inputs, owned, "low_res", Tensors.of(low, batch, size, size, low.length / ((long) batch * size * size)));
      }
      try (Result result = denoise.call(inputs)) {
        return Tensors.floats((TFloat32) result.get(ExportContract.EPS).orElseThrow());
      }
    } finally {
      owned.forEach(Tensor::close);
    }
  }

  private static void put(Map<String, Tensor> inputs, List<Tensor> owned, String name, Tensor tensor) {
    owned.add(tensor);
    inputs.put(name, tensor);
  }

  private <T> T require(T value, String what) {
    if (value == null) {
      throw new SamplingException("this " + card.getTask() + " model needs " + what);
    }
    return value;
  }

  @Override
  public void close() {
    bundle.close();
    if (firstStage != null) {
      firstStage.close();
    }
  }
}
