package org.diffusiondepot.sampler;

import org.diffusiondepot.proto.ModelCard;
import org.diffusiondepot.task.Conditioning;
import org.diffusiondepot.task.ConditioningException;
import org.diffusiondepot.task.DiffusionTask;
import org.diffusiondepot.task.InpaintingTask;
import org.diffusiondepot.task.NoisePredictor;
import org.diffusiondepot.task.StepConstraint;

/**
 * One sampling request on a {@link DepotModel}, configured fluently and run with {@link #run}.
 * Defaults: 16 samples, DDIM with 50 steps and eta 0, seed 0, the card's guidance scale.
 */
public final class Sampling {
  /** The samplers, each with the name {@code depot-sample --sampler} and the browser UI spell it by. */
  public enum Method {
    DDPM("ddpm", "DDPM"), DDIM("ddim", "DDIM"), DPMPP_2M("dpmpp2m", "DPM-Solver++(2M)"),
    DPMPP_2M_SDE("dpmpp2m-sde", "DPM-Solver++(2M) SDE"), HEUN("heun", "Heun");

    private final String cliName;
    private final String label;

    Method(String cliName, String label) {
      this.cliName = cliName;
      this.label = label;
    }

    public String cliName() {
      return cliName;
    }

    /** The name people know it by, as the browser UI shows it. */
    public String label() {
      return label;
    }

    /** The sampler called {@code name} (any case); an unknown name lists the known ones. */
    public static Method parse(String name) {
      for (Method method : values()) {
        if (method.cliName.equalsIgnoreCase(name)) {
          return method;
        }
      }
      throw new SamplingException("unknown sampler '" + name + "'; use one of "
          + java.util.Arrays.stream(values()).map(Method::cliName).collect(java.util.stream.Collectors.joining(", ")));
    }
  }

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
  /** Passes per reverse step for inpainting (RePaint's resampling); null: the model's config. */
  private Integer resamplings;
  private boolean consistent = true;

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

  /** The image to complete and its mask (1 = generate), both at the model's image size. */
  public Sampling inpaint(float[] image, float[] mask) {
    this.image = image.clone();
    this.mask = mask.clone();
    return this;
  }

  /**
   * Takes every reverse step but the last {@code passes} times (RePaint's resampling, for
   * inpainting models), in place of the export's {@code inpainting.resamplings}; 0 or 1: once.
   */
  public Sampling resamplings(int passes) {
    if (passes < 0) {
      throw new SamplingException("--resamplings must be 0 or more (0 or 1: every step once), got " + passes);
    }
    if (!(model.task() instanceof InpaintingTask)) {
      throw new SamplingException("--resamplings applies to inpainting models, whose chains have known pixels to "
          + "agree with; this model has none");
    }
    this.resamplings = passes;
    return this;
  }

  /** Passes per reverse step: the request's {@link #resamplings}, or the export's config. */
  public int passes() {
    return resamplings != null ? Math.max(1, resamplings) : model.task().samplingPasses();
  }

  /** The low-resolution image to upscale (super-resolution models), low_res_size x low_res_size. */
  public Sampling lowRes(float[] lowRes) {
    this.lowRes = lowRes.clone();
    return this;
  }

  /**
   * Whether the task's final consistency step runs on the samples (default yes): super-resolution's
   * back-projection onto the low-res input. Off gives the chain's decoded samples as they are.
   */
  public Sampling consistencyStep(boolean on) {
    this.consistent = on;
    return this;
  }

  public Sampler sampler() {
    int t = card.getDiffusion().getTimesteps();
    return switch (method) {
      case DDPM -> {
        if (steps != null && steps != t) {
          throw new SamplingException("ddpm runs the full chain of " + t + " steps; use --sampler ddim for "
              + "fewer steps (got --steps " + steps + ")");
        }
        yield new DdpmSampler(model.schedule(), card.getDiffusion().getClipDenoised());
      }
      case DDIM -> {
        int k = steps == null ? defaultSteps(Method.DDIM) : steps;
        if (k < 1 || k > t) {
          throw new SamplingException("--steps must be between 1 and " + t + " for ddim, got " + k);
        }
        if (eta < 0) {
          throw new SamplingException("--eta must be >= 0, got " + eta);
        }
        yield new DdimSampler(model.schedule(), k, eta, card.getDiffusion().getClipDenoised());
      }
      case DPMPP_2M -> new DpmPlusPlus2MSampler(model.schedule(), deterministicSteps("dpmpp2m", t - 1),
          DpmPlusPlus2MSampler.Spacing.LOG_SNR, card.getDiffusion().getClipDenoised());
      case DPMPP_2M_SDE -> new DpmPlusPlus2MSampler(model.schedule(), deterministicSteps("dpmpp2m-sde", t - 1),
          DpmPlusPlus2MSampler.Spacing.LOG_SNR, card.getDiffusion().getClipDenoised(), true);
      case HEUN -> new HeunSampler(model.schedule(), deterministicSteps("heun", t), card.getDiffusion().getClipDenoised());
    };
  }

  /** Steps when none are given: 50 for DDIM, 20 for the second-order solvers, null for DDPM (all T). */
  public static Integer defaultSteps(Method method) {
    return switch (method) {
      case DDPM -> null;
      case DDIM -> 50;
      case DPMPP_2M, DPMPP_2M_SDE, HEUN -> 20;
    };
  }

  /**
   * --steps for the DPM-Solver++ family and Heun: 20 by default, at most {@code max}; they take no
   * --eta (the ODE solvers add no noise, the SDE solver exactly the SDE's).
   */
  private int deterministicSteps(String name, int max) {
    int k = steps == null ? defaultSteps(method) : steps;
    if (k < 1 || k > max) {
      throw new SamplingException("--steps must be between 1 and " + max + " for " + name + ", got " + k);
    }
    if (eta != 0) {
      throw new SamplingException("--eta applies to ddim only; " + name + " fixes its own noise (got --eta " + eta + ")");
    }
    return k;
  }

  /**
   * Number of network evaluations per chunk, for progress bars (Heun makes two per step but the
   * last; an inpainting model with {@code inpainting.resamplings} retakes every step but the last).
   */
  public int chainLength() {
    return sampler().evaluations(passes());
  }

  public int chunks() {
    return (count + maxBatch - 1) / maxBatch;
  }

  public Samples run() {
    return run(StepListener.NONE);
  }

  public Samples run(StepListener listener) {
    DiffusionTask task = model.task();
    Sampler sampler = sampler();
    Conditioning request = new Conditioning(labels, image, mask, lowRes);
    NoisePredictor predictor = taskCall(() -> task.predictor(model, guidance));
    if (card.getDiffusion().getClipDenoised() && !task.latent()) {
      predictor = new DynamicThresholding(predictor, model.schedule());  // latents keep the static clip
    }
    int size = task.modelSize();
    int channels = task.modelChannels();
    int perSample = task.imageSize() * task.imageSize() * task.imageChannels();
    float[] out = new float[count * perSample];
    int[] allLabels = null;
    for (int start = 0, chunk = 0; start < count; start += maxBatch, chunk++) {
      int n = Math.min(maxBatch, count - start);
      int first = start;
      Conditioning condition = taskCall(() -> task.forSampling(request, first, n));
      StepConstraint constraint = task.constraint(model.schedule(), condition);
      if (resamplings != null) {
        constraint = constraint.retaking(resamplings);
      }
      float[] x = sampler.sample(predictor, n, size, channels, condition, seed * 1_000_003L + chunk, listener,
          constraint);
      float[] images = task.toImages(x, n);
      if (consistent) {
        images = task.makeConsistent(images, condition, n);
      }
      System.arraycopy(images, 0, out, start * perSample, n * perSample);
      if (condition.labels() != null) {
        allLabels = allLabels == null ? new int[count] : allLabels;
        System.arraycopy(condition.labels(), 0, allLabels, start, n);
      }
    }
    return new Samples(out, count, task.imageSize(), task.imageChannels(), allLabels);
  }

  /** A request the task refuses is the user's to fix: one clear line. */
  private static <T> T taskCall(java.util.function.Supplier<T> call) {
    try {
      return call.get();
    } catch (ConditioningException e) {
      throw new SamplingException(e.getMessage());
    }
  }
}
