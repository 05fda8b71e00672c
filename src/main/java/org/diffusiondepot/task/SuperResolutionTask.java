package org.diffusiondepot.task;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.diffusiondepot.image.ImageGrid;
import org.diffusiondepot.image.Images;
import org.diffusiondepot.image.Pixels;
import org.diffusiondepot.image.Resampler;
import org.diffusiondepot.proto.ExperimentConfig;
import org.diffusiondepot.proto.ModelCard;
import org.diffusiondepot.proto.SuperResolutionConfig;
import org.diffusiondepot.proto.Task;
import org.diffusiondepot.runtime.Tensors;
import org.tensorflow.Tensor;

/**
 * Latent super-resolution (Rombach et al. 2022): x_0 is the latent of the high-resolution image
 * under a frozen first stage (scaled to about unit variance), and the denoiser sees concat(z_t,
 * low-res) where the low-resolution image, degraded from the high-resolution one as
 * {@link Degradation} does, is brought to the latent side without losing a pixel: as it is when
 * the sides agree (LDM's SR, an f = 4 first stage at downscale 4), rearranged space-to-depth when
 * the low-res side is a multiple k of the latent side (each k x k block of pixels becomes k^2 C
 * channels of one latent position), bicubic-upscaled when it is smaller. Rearranging rather than
 * encoding keeps the condition independent of the first stage and cheap.
 * <p>
 * Sampled images are back-projected onto their low-res input ({@link BackProjection}), so that
 * they degrade to it; {@link #makeConsistent}.
 */
public final class SuperResolutionTask extends DiffusionTask {
  private final LatentCodec firstStage;
  private final Degradation degradation;
  private final BackProjection projection;
  private final int lowSize;
  private final int latentSide;
  private final int latentChannels;

  SuperResolutionTask(ExperimentConfig config, LatentCodec firstStage) {
    super(config);
    this.firstStage = firstStage;
    SuperResolutionConfig sr = config.getSuperResolution();
    this.degradation = new Degradation(sr.getDownscale(), sr.getBlurSigma(), sr.getNoiseStd());
    this.projection = new BackProjection(degradation, imageSize, imageChannels);
    this.lowSize = imageSize / sr.getDownscale();
    this.latentChannels = config.getLatentShape(0);
    this.latentSide = config.getLatentShape(1);
  }

  @Override
  public Task kind() {
    return Task.SUPER_RESOLUTION;
  }

  /** Side of the low-resolution input. */
  public int lowResSize() {
    return lowSize;
  }

  @Override
  public int modelSize() {
    return latentSide;
  }

  @Override
  public int modelChannels() {
    return latentChannels;
  }

  @Override
  public boolean latent() {
    return true;
  }

  @Override
  public void describe(ModelCard.Builder card) {
    super.describe(card);
    card.setLowResSize(lowSize).setFirstStageFactor(imageSize / latentSide);
  }

  @Override
  public String summary() {
    return super.summary() + " upscaled " + (imageSize / lowSize) + "x from " + lowSize + "px, by latent diffusion on z "
        + latentChannels + "x" + latentSide + "x" + latentSide + " (VQGAN f = " + (imageSize / latentSide) + ")";
  }

  @Override
  public List<SignatureInput> inputs() {
    return List.of(new SignatureInput(ExportContract.LOW_RES, false, latentSide, latentSide, conditionChannels()));
  }

  /** Channels of the low-res condition at the latent side: C, or k^2 C when rearranged space-to-depth. */
  public int conditionChannels() {
    return lowSize > latentSide ? imageChannels * blockSide() * blockSide() : imageChannels;
  }

  /** Side k of the blocks a latent position gets when the low-res side is k times the latent side. */
  private int blockSide() {
    return lowSize / latentSide;
  }

  @Override
  public float[] target(float[] images, int n) {
    return codec().encode(images, n);
  }

  @Override
  public float[] toImages(float[] latents, int n) {
    return codec().decode(latents, n);
  }

  @Override
  public Conditioning forTraining(float[] images, int[] labels, int n, long step, int firstRow) {
    float[] low = new float[n * lowSize * lowSize * imageChannels];
    for (int i = 0; i < n; i++) {
      put(low, i, degrade(images, i, trainingDraw(DEGRADATION, step, firstRow + i)));
    }
    return Conditioning.ofLowRes(low);
  }

  @Override
  public Conditioning forHeldOut(float[] images, int[] labels, int n, long seed, int firstIndex) {
    float[] low = new float[n * lowSize * lowSize * imageChannels];
    for (int i = 0; i < n; i++) {
      put(low, i, degrade(images, i, heldOutDraw(seed, DEGRADATION, firstIndex + i)));
    }
    return Conditioning.ofLowRes(low);
  }

  @Override
  public Conditioning forSampling(Conditioning request, int start, int n) {
    if (request.lowRes() == null) {
      throw new ConditioningException("this super-resolution model needs a low-resolution image (--low-res)");
    }
    if (request.labels() != null || request.image() != null || request.mask() != null) {
      throw new ConditioningException("this super-resolution model takes a low-resolution image, not a class, image or mask");
    }
    if (request.lowRes().length != lowSize * lowSize * imageChannels) {
      throw new ConditioningException("the low-resolution input must be " + lowSize + "x" + lowSize);
    }
    return Conditioning.ofLowRes(repeat(request.lowRes(), n));
  }

  @Override
  public Map<String, Tensor> feeds(Conditioning condition, int n) {
    if (condition.lowRes() == null) {
      throw new ConditioningException("this super-resolution model needs a low-resolution image");
    }
    return Map.of(ExportContract.LOW_RES, Tensors.of(atLatentSide(condition.lowRes(), n), n, latentSide, latentSide,
        conditionChannels()));
  }

  /**
   * [n, lowSize, lowSize, C] to [n, latentSide, latentSide, {@link #conditionChannels}], as the
   * denoiser sees it: unchanged, space-to-depth, or bicubic-upscaled (see the class comment).
   */
  public float[] atLatentSide(float[] lowRes, int n) {
    if (lowSize == latentSide) {
      return lowRes.clone();
    }
    if (lowSize > latentSide) {
      return spaceToDepth(lowRes, n);
    }
    int in = lowSize * lowSize * imageChannels;
    int out = latentSide * latentSide * imageChannels;
    float[] result = new float[n * out];
    for (int i = 0; i < n; i++) {
      float[] one = Arrays.copyOfRange(lowRes, i * in, (i + 1) * in);
      System.arraycopy(Resampler.resize(one, lowSize, lowSize, latentSide, latentSide, imageChannels,
          Resampler.Filter.BICUBIC), 0, result, i * out, out);
    }
    return result;
  }

  /** Pixel (y, x, c) of the low-res image to position (y / k, x / k), channel ((y % k) k + x % k) C + c. */
  private float[] spaceToDepth(float[] lowRes, int n) {
    int k = blockSide();
    int channels = conditionChannels();
    float[] out = new float[lowRes.length];
    for (int i = 0; i < n; i++) {
      int base = i * lowSize * lowSize * imageChannels;
      for (int y = 0; y < lowSize; y++) {
        for (int x = 0; x < lowSize; x++) {
          int position = (y / k) * latentSide + x / k;
          int channel = ((y % k) * k + x % k) * imageChannels;
          System.arraycopy(lowRes, base + (y * lowSize + x) * imageChannels, out,
              base + position * channels + channel, imageChannels);
        }
      }
    }
    return out;
  }

  /** Decoded samples back-projected onto their low-res inputs: each degrades to its input. */
  @Override
  public float[] makeConsistent(float[] images, Conditioning condition, int n) {
    if (condition.lowRes() == null) {
      throw new ConditioningException("this super-resolution model needs a low-resolution image");
    }
    int per = imageSize * imageSize * imageChannels;
    int lowPer = lowSize * lowSize * imageChannels;
    float[] out = new float[n * per];
    for (int i = 0; i < n; i++) {
      put(out, i, projection.apply(Arrays.copyOfRange(images, i * per, (i + 1) * per),
          Arrays.copyOfRange(condition.lowRes(), i * lowPer, (i + 1) * lowPer)));
    }
    return out;
  }

  /**
   * One high-res image degraded as in training but without noise (blur, bicubic downscale,
   * clipping): an upscaling consistent with its input gives the input back.
   */
  public float[] downscale(float[] image) {
    return degradation.downscale(image, imageSize, imageChannels);
  }

  /** Plain bicubic upscaling of one low-res image to the output size, clipped: the baseline to beat. */
  public float[] bicubic(float[] lowRes) {
    float[] up = degradation.upscale(lowRes, imageSize, imageChannels);
    Images.clamp(up);
    return up;
  }

  /** Low-res (enlarged) | bicubic | output, per sample. */
  @Override
  public Panels panels(float[] images, Conditioning condition, int n) {
    int per = lowSize * lowSize * imageChannels;
    List<List<BufferedImage>> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      float[] low = Arrays.copyOfRange(condition.lowRes(), i * per, (i + 1) * per);
      rows.add(List.of(ImageGrid.enlarge(Pixels.toImage(low, 0, lowSize, imageChannels), imageSize / lowSize),
          Pixels.toImage(bicubic(low), 0, imageSize, imageChannels),
          Pixels.toImage(images, i, imageSize, imageChannels)));
    }
    return new Panels(List.of("low-res", "bicubic", "output"), rows, blankLabels(n),
        Math.max(1, (int) Math.ceil(Math.sqrt(n) / 1.5)));
  }

  private float[] degrade(float[] images, int index, long seed) {
    int per = imageSize * imageSize * imageChannels;
    return degradation.apply(Arrays.copyOfRange(images, index * per, (index + 1) * per), imageSize,
        imageChannels, seed);
  }

  private LatentCodec codec() {
    if (firstStage == null) {
      throw new IllegalStateException("this super-resolution task was built without its first stage");
    }
    return firstStage;
  }

  private static void put(float[] all, int index, float[] one) {
    System.arraycopy(one, 0, all, index * one.length, one.length);
  }
}
