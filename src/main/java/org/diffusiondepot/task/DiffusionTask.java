package org.diffusiondepot.task;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.diffusiondepot.image.Pixels;
import org.diffusiondepot.proto.ExperimentConfig;
import org.diffusiondepot.proto.ModelCard;
import org.diffusiondepot.proto.Task;
import org.diffusiondepot.runtime.Seeds;
import org.diffusiondepot.schedule.NoiseSchedule;
import org.tensorflow.Tensor;

/**
 * One home per task (latent diffusion's conditioning wrapper, diffusers' pipelines): everything
 * that differs between unconditional, class-conditional, inpainting and super-resolution models.
 * A task knows how its conditioning is drawn for training and for held-out images (from the images
 * and a seed), what the denoiser takes ({@link #inputs}) and how it is fed ({@link #feeds}), what
 * x_0 is (images or latents), what constrains a sampling chain, and how samples are shown. The
 * trainer, the exporter, the sampler, evaluation, reports and the browser UI all ask it.
 * <p>
 * Randomness is a function of coordinates only: training draws for example i of step s come from
 * {@code Seeds.mix(train.seed, purpose, s, i)}, held-out draws for the k-th image from
 * {@code Seeds.mix(seed, purpose, k)}.
 */
public abstract class DiffusionTask {
  /** Purposes mixed into seeds, so that masks, noise and label dropout draw independently. */
  protected static final long MASKS = 0x4d41534bL;
  protected static final long DEGRADATION = 0x44454752L;
  protected static final long LABELS = 0x4c41424cL;
  private static final long HELD_OUT = -1;

  protected final ExperimentConfig config;
  protected final int imageSize;
  protected final int imageChannels;
  protected final long trainingSeed;

  protected DiffusionTask(ExperimentConfig config) {
    this.config = config;
    this.imageSize = config.getData().getResolution();
    this.imageChannels = config.getData().getChannels();
    this.trainingSeed = config.getTrain().getSeed();
  }

  /**
   * The task of a config (from a run directory, or the source config of an export's card).
   *
   * @param classNames the data's classes in label order (may be empty where they are not needed)
   * @param firstStage the frozen first stage of a latent task, or null where nothing is encoded or
   *     decoded (describing a model, building its graph)
   */
  public static DiffusionTask of(ExperimentConfig config, List<String> classNames, LatentCodec firstStage) {
    return switch (config.getTask()) {
      case UNCONDITIONAL -> new UnconditionalTask(config);
      case CLASS_CONDITIONAL -> new ClassConditionalTask(config, classNames);
      case INPAINTING -> new InpaintingTask(config);
      case SUPER_RESOLUTION -> new SuperResolutionTask(config, firstStage);
      default -> throw new IllegalArgumentException("task " + config.getTask() + " is not a diffusion task");
    };
  }

  public abstract Task kind();

  /** Side and channels of the images the task generates. */
  public int imageSize() {
    return imageSize;
  }

  public int imageChannels() {
    return imageChannels;
  }

  /** Side and channels of x_t, the tensor the denoiser works on (the latent of a latent task). */
  public int modelSize() {
    return imageSize;
  }

  public int modelChannels() {
    return imageChannels;
  }

  /** True when x_0 is the latent of a frozen first stage rather than the image itself. */
  public boolean latent() {
    return false;
  }

  /** The card fields an export of this task needs: sizes, plus what the task adds (classes, low-res side). */
  public void describe(ModelCard.Builder card) {
    card.setImageSize(imageSize).setImageChannels(imageChannels).setModelSize(modelSize())
        .setModelChannels(modelChannels());
  }

  /** One line on what the task generates from what, for {@code depot describe}. */
  public String summary() {
    return kind() + ", " + imageSize + "px images";
  }

  /** The denoiser's conditioning inputs besides x_t and t, in the order they are concatenated. */
  public List<SignatureInput> inputs() {
    return List.of();
  }

  /** Real classes of a class-conditional denoiser's label embedding (a null class is added); 0 for none. */
  public int classCount() {
    return 0;
  }

  /** x_0, what the denoiser learns to generate, for a batch of {@code n} images. */
  public float[] target(float[] images, int n) {
    return images;
  }

  /** Generated x_0 back to images in [-1, 1]. */
  public float[] toImages(float[] x0, int n) {
    return x0;
  }

  /**
   * The task's last step on {@code n} sampled images (after {@link #toImages}) conditioned on
   * {@code condition}: what makes them agree with their conditioning where the chain alone does not
   * quite (super-resolution: back-projection onto the low-res input). None by default.
   */
  public float[] makeConsistent(float[] images, Conditioning condition, int n) {
    return images;
  }

  /**
   * The conditioning of rows {@code firstRow .. firstRow + n - 1} of the training batch of
   * {@code step}, with the training seed's draws: row r's draws depend only on (step, r), so the
   * workers of a cluster, each with its own rows, draw what one process would for the whole batch.
   */
  public abstract Conditioning forTraining(float[] images, int[] labels, int n, long step, int firstRow);

  /**
   * The conditioning of held-out images, as training would draw it but without label dropout;
   * image k's draws depend only on {@code seed} and {@code firstIndex + k}, so evaluations agree.
   */
  public Conditioning forHeldOut(float[] images, int[] labels, int n, long seed, int firstIndex) {
    return Conditioning.none();
  }

  /**
   * The conditioning of {@code count} preview samples drawn from held-out images (used in turn when
   * there are fewer): by default the held-out conditioning of those images.
   */
  public Conditioning forPreview(float[] images, int available, int count, long seed) {
    return forHeldOut(cycle(images, available, count), new int[count], count, seed, 0);
  }

  /**
   * The conditioning of samples {@code start .. start + n - 1} of a sampling request, from what the
   * user gave ({@code request}: labels for every sample or in turn; one image, mask or low-res image
   * for all); fails with a message saying what this model needs.
   */
  public abstract Conditioning forSampling(Conditioning request, int start, int n);

  /** The tensors of the denoiser's conditioning inputs for a batch of {@code n}, keyed by input name; the caller closes them. */
  public Map<String, Tensor> feeds(Conditioning condition, int n) {
    return Map.of();
  }

  /** What every step of a sampling chain must respect (inpainting's known pixels); none by default. */
  public StepConstraint constraint(NoiseSchedule schedule, Conditioning condition) {
    return StepConstraint.NONE;
  }

  /**
   * The {@link StepConstraint#passes} of this task's constraints, known before any conditioning so
   * that progress bars can count the chain's evaluations: 1 (no resampling) by default.
   */
  public int samplingPasses() {
    return 1;
  }

  /** The denoiser as the sampler should call it; {@code guidance} (null: the model's default) is for class-conditional models. */
  public NoisePredictor predictor(NoisePredictor model, Double guidance) {
    if (guidance != null) {
      throw new ConditioningException("--guidance applies to class-conditional models; this one is " + kind());
    }
    return model;
  }

  /** Samples ({@code images} in [-1, 1], image space) beside what conditioned them. */
  public Panels panels(float[] images, Conditioning condition, int n) {
    List<List<BufferedImage>> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      rows.add(List.of(Pixels.toImage(images, i, imageSize, imageChannels)));
    }
    return new Panels(List.of("sample"), rows, blankLabels(n), (int) Math.ceil(Math.sqrt(n)));
  }

  /** Seed of a training draw for example {@code index} of {@code step}. */
  protected long trainingDraw(long purpose, long step, int index) {
    return Seeds.mix(trainingSeed, purpose, step, index);
  }

  /** Seed of a held-out draw for image {@code index}. */
  protected static long heldOutDraw(long seed, long purpose, int index) {
    return Seeds.mix(seed, purpose, HELD_OUT, index);
  }

  protected static List<String> blankLabels(int n) {
    return java.util.Collections.nCopies(n, "");
  }

  /** {@code count} images taken in turn from the first {@code available} of {@code images}. */
  protected float[] cycle(float[] images, int available, int count) {
    int per = imageSize * imageSize * imageChannels;
    float[] out = new float[count * per];
    for (int i = 0; i < count; i++) {
      System.arraycopy(images, (i % available) * per, out, i * per, per);
    }
    return out;
  }

  /** {@code n} copies of one example. */
  protected static float[] repeat(float[] one, int n) {
    float[] out = new float[one.length * n];
    for (int i = 0; i < n; i++) {
      System.arraycopy(one, 0, out, i * one.length, one.length);
    }
    return out;
  }
}
