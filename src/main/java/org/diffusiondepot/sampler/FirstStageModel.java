package org.diffusiondepot.sampler;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.diffusiondepot.proto.ModelCard;
import org.diffusiondepot.proto.Task;
import org.diffusiondepot.runtime.Tensors;
import org.diffusiondepot.task.ExportContract;
import org.diffusiondepot.task.LatentCodec;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.SessionFunction;
import org.tensorflow.Tensor;
import org.tensorflow.types.TFloat32;

/**
 * An exported VQGAN first stage: {@code encode} maps images in [-1, 1] to latents already
 * multiplied by the latent scale (so they have roughly unit variance), {@code decode} the reverse.
 */
public final class FirstStageModel implements LatentCodec, AutoCloseable {
  private final ModelCard card;
  private final SavedModelBundle bundle;
  private final SessionFunction encode;
  private final SessionFunction decode;

  private FirstStageModel(ModelCard card, SavedModelBundle bundle) {
    this.card = card;
    this.bundle = bundle;
    this.encode = bundle.function(ExportContract.ENCODE);
    this.decode = bundle.function(ExportContract.DECODE);
  }

  public static FirstStageModel load(Path exportDir) throws IOException {
    ModelCard card = ModelCards.read(exportDir);
    if (card.getTask() != Task.FIRST_STAGE) {
      throw new SamplingException(exportDir + " holds a " + card.getTask() + " model, not a first stage (VQGAN)");
    }
    return new FirstStageModel(card,
        SavedModels.open(exportDir, "first stage", ExportContract.ENCODE, ExportContract.DECODE));
  }

  public ModelCard card() {
    return card;
  }

  /** [n, S, S, C] images to [n, s, s, c] scaled latents. */
  @Override
  public float[] encode(float[] images, int n) {
    int size = card.getImageSize();
    try (Tensor in = Tensors.of(images, n, size, size, card.getImageChannels());
        Result r = encode.call(Map.of(ExportContract.IMAGE, in))) {
      return Tensors.floats((TFloat32) r.get(ExportContract.Z).orElseThrow());
    }
  }

  /** [n, s, s, c] scaled latents to [n, S, S, C] images. */
  @Override
  public float[] decode(float[] z, int n) {
    int side = card.getModelSize();
    try (Tensor in = Tensors.of(z, n, side, side, card.getModelChannels());
        Result r = decode.call(Map.of(ExportContract.Z, in))) {
      return Tensors.floats((TFloat32) r.get(ExportContract.IMAGE).orElseThrow());
    }
  }

  @Override
  public void close() {
    bundle.close();
  }
}
