package org.diffusiondepot.sampler;

import java.util.Arrays;
import org.diffusiondepot.proto.ModelCard;
import org.diffusiondepot.proto.Task;

/**
 * One sampling request on a {@link DepotModel}, configured fluently and run with {@link #run}.
 * Defaults: 16 samples, DDIM with 50 steps and eta 0, seed 0, the card's guidance scale.
 */
public final class Sampling {
  public enum Method { DDPM, DDIM, DPMPP_2M, HEUN }

  private final DepotModel model;
  private final ModelCard card;
  private int count = 16;
  private Method method = Method.DDIM;
  private Integer steps;
  private double eta;
  private long seed;
  private int maxBatch = 16;
  private int[] labels;
  private Double guidance;
  private float[] image;
  private float[] mask;
  private float[] lowRes;

  Sampling(DepotModel model) {
    this.model = model;
    this.card = model.card();
  }

  public Sampling count(int n) {
    if (n < 1) {
      throw new SamplingException("the number of samples must be at least 1, got " + n);
    }
    this.count = n;
    return this;
  }

  public Sampling ddpm() {
    this.method = Method.DDPM;
    return this;
  }

  public Sampling ddim(int steps) {
    this.method = Method.DDIM;
    this.steps = steps;
    return this;
  }

  public Sampling method(Method method, Integer steps) {
    this.method = method;
    this.steps = steps;
    return this;
  }

  public Sampling eta(double eta) {
    this.eta = eta;
    return this;
  }

  public Sampling seed(long seed) {
    this.seed = seed;
    return this;
  }

  /** Largest batch per network call (memory); the result does not depend on it. */
  public Sampling maxBatch(int maxBatch) {
    this.maxBatch = Math.max(1, maxBatch);
    return this;
  }

  /** The class of every sample (class-conditional models). */
  public Sampling classLabels(int... labels) {
    this.labels = labels.clone();
    return this;
  }

  /** Classifier-free guidance scale w; 1 is the plain conditional model, 0 the unconditional. */
  public Sampling guidance(double w) {
    this.guidance = w;
    return this;
  }

  /** The image to complete and its mask (1 = generate), both at the model's size. */
  public Sampling inpaint(float[] image, float[] mask) {
    this.image = image.clone();
    this.mask = mask.clone();
    return this;
  }

  /** The low-resolution image to upscale (super-resolution models), low_res_size x low_res_size. */
  public Sampling lowRes(float[] lowRes) {
    this.lowRes = lowRes.clone();
    return this;
  }

  public Sampler sampler() {
    int t = card.getTimesteps();
    return switch (method) {
      case DDPM -> {
        if (steps != null && steps != t) {
          throw new SamplingException("ddpm runs the full chain of " + t + " steps; use --sampler ddim for "
              + "fewer steps (got --steps " + steps + ")");
        }
        yield new DdpmSampler(model.schedule(), card.getClipDenoised());
      }
      case DDIM -> {
        int k = steps == null ? 50 : steps;
        if (k < 1 || k > t) {
          throw new SamplingException("--steps must be between 1 and " + t + " for ddim, got " + k);
        }
        if (eta < 0) {
          throw new SamplingException("--eta must be >= 0, got " + eta);
        }
        yield new DdimSampler(model.schedule(), k, eta, card.getClipDenoised());
      }
      case DPMPP_2M -> new DpmPlusPlus2MSampler(model.schedule(), deterministicSteps("dpmpp2m", t - 1),
          DpmPlusPlus2MSampler.Spacing.LOG_SNR, card.getClipDenoised());
      case HEUN -> new HeunSampler(model.schedule(), deterministicSteps("heun", t), card.getClipDenoised());
    };
  }

  /** --steps for the ODE solvers: 20 by default, at most {@code max}; they take no --eta. */
  private int deterministicSteps(String name, int max) {
    int k = steps == null ? 20 : steps;
    if (k < 1 || k > max) {
      throw new SamplingException("--steps must be between 1 and " + max + " for " + name + ", got " + k);
    }
    if (eta != 0) {
      throw new SamplingException("--eta applies to ddim; " + name + " is deterministic (got --eta " + eta + ")");
    }
    return k;
  }

  /** Number of network evaluations per chunk, for progress bars (Heun makes two per step but the last). */
  public int chainLength() {
    return sampler().evaluations();
  }

  public int chunks() {
    return (count + maxBatch - 1) / maxBatch;
  }

  public Samples run() {
    return run(StepListener.NONE);
  }

  public Samples run(StepListener listener) {
    Sampler sampler = sampler();
    NoisePredictor predictor = predictor();
    int size = card.getModelSize();
    int channels = card.getModelChannels();
    boolean latent = card.getTask() == Task.SUPER_RESOLUTION;
    if (card.getClipDenoised() && !latent) {
      predictor = new DynamicThresholding(predictor, model.schedule());  // latents keep the static clip
    }
    int outSize = latent ? card.getImageSize() : size;
    int outChannels = latent ? card.getImageChannels() : channels;
    int perSample = outSize * outSize * outChannels;
    float[] out = new float[count * perSample];
    int[] allLabels = labelsFor(count);
    for (int start = 0, chunk = 0; start < count; start += maxBatch, chunk++) {
      int n = Math.min(maxBatch, count - start);
      Conditioning condition = conditioning(allLabels == null ? null : Arrays.copyOfRange(allLabels, start, start + n), n);
      StepConstraint constraint = card.getTask() == Task.INPAINTING
          ? new KnownRegion(model.schedule(), image, mask, channels) : StepConstraint.NONE;
      float[] x = sampler.sample(predictor, n, size, channels, condition, seed * 1_000_003L + chunk, listener,
          constraint);
      if (latent) {
        x = model.firstStage().decode(x, n);
      }
      System.arraycopy(x, 0, out, start * perSample, n * perSample);
    }
    return new Samples(out, count, outSize, outChannels, allLabels);
  }

  private NoisePredictor predictor() {
    if (card.getTask() != Task.CLASS_CONDITIONAL) {
      if (guidance != null) {
        throw new SamplingException("--guidance applies to class-conditional models; this one is " + card.getTask());
      }
      return model;
    }
    double w = guidance != null ? guidance : card.getGuidanceScale();
    if (!card.getClassifierFreeGuidance()) {
      if (w != 1.0) {
        throw new SamplingException("this model was trained without classifier-free guidance (no null-label "
            + "dropout), so only the plain conditional model, --guidance 1, is available");
      }
      return model;
    }
    return w == 1.0 ? model : new GuidedPredictor(model, w, card.getNullClass());
  }

  private int[] labelsFor(int n) {
    if (card.getTask() != Task.CLASS_CONDITIONAL) {
      if (labels != null) {
        throw new SamplingException("--class applies to class-conditional models; this one is " + card.getTask());
      }
      return null;
    }
    int classes = card.getClassNamesCount();
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      out[i] = labels == null ? i % classes : labels[labels.length == n ? i : i % labels.length];
      if (out[i] < 0 || out[i] >= classes) {
        throw new SamplingException("class index " + out[i] + " is out of range 0.." + (classes - 1));
      }
    }
    return out;
  }

  private Conditioning conditioning(int[] chunkLabels, int n) {
    return switch (card.getTask()) {
      case CLASS_CONDITIONAL -> Conditioning.ofLabels(chunkLabels);
      case INPAINTING -> {
        if (image == null || mask == null) {
          throw new SamplingException("this inpainting model needs --image and --mask");
        }
        float[] masked = new float[image.length];
        int channels = card.getModelChannels();
        for (int p = 0; p < mask.length; p++) {
          for (int c = 0; c < channels; c++) {
            masked[p * channels + c] = mask[p] > 0.5f ? 0f : image[p * channels + c];
          }
        }
        yield new Conditioning(null, repeat(masked, n), repeat(mask, n), null);
      }
      case SUPER_RESOLUTION -> {
        if (lowRes == null) {
          throw new SamplingException("this super-resolution model needs --low-res");
        }
        int low = card.getLowResSize();
        if (lowRes.length != low * low * card.getImageChannels()) {
          throw new SamplingException("the low-resolution input must be " + low + "x" + low);
        }
        float[] conditioning = LowResConditioning.toLatentSide(lowRes, 1, low, card.getModelSize(),
            card.getImageChannels());
        yield new Conditioning(null, null, null, repeat(conditioning, n));
      }
      default -> Conditioning.none();
    };
  }

  /** Known pixels are copied from the input, so only the hole is generated. */
  private static float[] repeat(float[] one, int n) {
    float[] out = new float[one.length * n];
    for (int i = 0; i < n; i++) {
      System.arraycopy(one, 0, out, i * one.length, one.length);
    }
    return out;
  }
}
