package org.diffusiondepot.train;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.diffusiondepot.config.ConfigException;
import org.diffusiondepot.data.Batch;
import org.diffusiondepot.data.Degradation;
import org.diffusiondepot.image.ImageGrid;
import org.diffusiondepot.image.Pixels;
import org.diffusiondepot.proto.ExperimentConfig;
import org.diffusiondepot.proto.ModelCard;
import org.diffusiondepot.sampler.Conditioning;
import org.diffusiondepot.sampler.FirstStageModel;
import org.diffusiondepot.sampler.LowResConditioning;

/**
 * Latent super-resolution: the denoiser learns the VQGAN latent of the high-resolution image
 * (encoded by the frozen first stage, already scaled to unit variance), conditioned on the
 * degraded low-resolution image (blur, bicubic downscale, noise) resized to the latent side.
 */
final class SuperResolutionInputs implements TaskInputs {
  private final FirstStageModel firstStage;
  private final Degradation degradation;
  private final int imageSize;
  private final int lowSize;
  private final int latentSide;
  private final int latentChannels;
  private final int channels;
  private final long seed;
  /** The low-res images of the last preview, at their own size, for the preview panels. */
  private float[] previewLowRes;

  SuperResolutionInputs(ExperimentConfig config) {
    this.imageSize = config.getData().getResolution();
    this.channels = config.getData().getChannels();
    int downscale = config.getSuperResolution().getDownscale();
    this.lowSize = imageSize / downscale;
    this.latentChannels = config.getLatentShape(0);
    this.latentSide = config.getLatentShape(1);
    this.degradation = new Degradation(downscale, config.getSuperResolution().getBlurSigma(),
        config.getSuperResolution().getNoiseStd());
    this.seed = config.getTrain().getSeed();
    this.firstStage = openFirstStage(config);
  }

  static FirstStageModel openFirstStage(ExperimentConfig config) {
    String location = config.getSuperResolution().getFirstStage();
    Path export = Path.of(location);
    if (location.isEmpty() || !Files.isDirectory(export)) {
      throw new ConfigException("super_resolution.first_stage: no first-stage export at '" + location
          + "'; train and export the VQGAN first, e.g. tools/depot train graphs/demo/vqgan.pbtxt --data builtin "
          + "--out checkpoints/vqgan && tools/depot export checkpoints/vqgan --out checkpoints/vqgan-export");
    }
    FirstStageModel model;
    try {
      model = FirstStageModel.load(export);
    } catch (IOException e) {
      throw new ConfigException("super_resolution.first_stage: cannot read " + export + ": " + e.getMessage(), e);
    }
    ModelCard card = model.card();
    int res = config.getData().getResolution();
    if (card.getImageSize() != res || card.getModelSize() != config.getLatentShape(1)
        || card.getModelChannels() != config.getLatentShape(0)) {
      model.close();
      throw new ConfigException("super_resolution.first_stage: " + export + " maps " + card.getImageSize() + "px images to "
          + card.getModelChannels() + "x" + card.getModelSize() + "x" + card.getModelSize() + " latents, but the config "
          + "has data.resolution " + res + " and latent_shape " + config.getLatentShapeList());
    }
    return model;
  }

  FirstStageModel firstStage() {
    return firstStage;
  }

  @Override
  public int targetSize() {
    return latentSide;
  }

  @Override
  public int targetChannels() {
    return latentChannels;
  }

  @Override
  public float[] target(Batch batch) {
    return firstStage.encode(batch.images(), batch.size());
  }

  @Override
  public Conditioning condition(Batch batch, long step) {
    return new Conditioning(null, null, null, latentSideLowRes(lowRes(batch.images(), batch.size(), step), batch.size()));
  }

  @Override
  public Conditioning previewCondition(Batch validation, int count) {
    previewLowRes = degradedPreview(validation, count);
    return new Conditioning(null, null, null, latentSideLowRes(previewLowRes, count));
  }

  /** Degraded low-resolution images of a batch, each seeded by (step, index). */
  float[] lowRes(float[] images, int n, long step) {
    int hr = imageSize * imageSize * channels;
    int lr = lowSize * lowSize * channels;
    float[] out = new float[n * lr];
    for (int i = 0; i < n; i++) {
      float[] one = new float[hr];
      System.arraycopy(images, i * hr, one, 0, hr);
      System.arraycopy(degradation.apply(one, imageSize, channels, (seed * 1_000_003L + step) * 31 + i), 0, out, i * lr, lr);
    }
    return out;
  }

  private float[] degradedPreview(Batch validation, int count) {
    int hr = imageSize * imageSize * channels;
    float[] images = new float[count * hr];
    for (int i = 0; i < count; i++) {
      System.arraycopy(validation.images(), (i % validation.size()) * hr, images, i * hr, hr);
    }
    return lowRes(images, count, -1);
  }

  private float[] latentSideLowRes(float[] low, int n) {
    return LowResConditioning.toLatentSide(low, n, lowSize, latentSide, channels);
  }

  /** Rows of (low-res, bicubic, decoded sample). */
  @Override
  public BufferedImage previewGrid(float[] samples, Conditioning condition, int count) {
    float[] images = firstStage.decode(samples, count);
    List<BufferedImage> tiles = new ArrayList<>();
    int lr = lowSize * lowSize * channels;
    for (int i = 0; i < count; i++) {
      float[] low = new float[lr];
      System.arraycopy(previewLowRes, i * lr, low, 0, lr);
      tiles.add(ImageGrid.enlarge(Pixels.toImage(low, 0, lowSize, channels), imageSize / lowSize));
      tiles.add(Pixels.toImage(LowResConditioning.bicubic(low, lowSize, imageSize, channels), 0, imageSize, channels));
      tiles.add(Pixels.toImage(images, i, imageSize, channels));
    }
    return ImageGrid.of(tiles, 3 * Math.max(1, (int) Math.ceil(Math.sqrt(count) / 1.5)));
  }

  @Override
  public void close() {
    firstStage.close();
  }
}
