package org.diffusiondepot.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.diffusiondepot.eval.FolderComparison;
import org.diffusiondepot.eval.InceptionFeatures;
import org.diffusiondepot.eval.ModelEvaluation;
import org.diffusiondepot.runtime.OptionException;
import org.diffusiondepot.sampler.Sampling;
import org.diffusiondepot.sampler.SamplingException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "eval", description = "Metrics of an export on held-out images: loss per timestep quarter, "
    + "SWD (and FID/KID with --inception), per-class accuracy, inpainting and super-resolution PSNR/SSIM "
    + "against simple baselines; or SWD/FID/KID between two image folders (--images, --reference). Printed with "
    + "sample counts and written as JSON.",
    footer = {
        "  tools/depot eval checkpoints/demo-export",
        "  tools/depot eval checkpoints/class-export --samples 300 --guidance 0,1,3",
        "  tools/depot eval checkpoints/demo-export --sweep 5,10,20,50,100 --samples 128",
        "  tools/depot eval --images my-samples/ --reference real-images/ \\",
        "      --size 64 --inception inception/"})
final class EvalCommand implements Callable<Integer> {
  @Parameters(index = "0", arity = "0..1", paramLabel = "EXPORT_DIR")
  Path export;

  @Option(names = "--images", paramLabel = "DIR", description = "compare this image folder with --reference "
      + "instead of evaluating an export")
  Path images;

  @Option(names = "--reference", paramLabel = "DIR", description = "reference image folder for --images")
  Path reference;

  @Option(names = "--size", defaultValue = "64", description = "side the folders are resized to for --images "
      + "(default: ${DEFAULT-VALUE})")
  int size;

  @Option(names = "--data", paramLabel = "DIR|builtin",
      description = "the data the model was trained on; its validation split is used (default: the data the "
          + "export's card records, i.e. train's --data)")
  String data;

  @Option(names = "--samples", defaultValue = "256", description = "samples / held-out images, or images per folder with --images (default: ${DEFAULT-VALUE})")
  int samples;

  @Option(names = "--sampler", defaultValue = "ddim", paramLabel = "ddpm|ddim|dpmpp2m|dpmpp2m-sde|heun",
      description = "how samples are drawn, as in depot-sample (default: ${DEFAULT-VALUE}, with eta 1)")
  String sampler;

  @Option(names = "--steps", paramLabel = "K", description = "sampler steps (default: 50 for ddim, 20 for "
      + "dpmpp2m, dpmpp2m-sde and heun; ddpm runs the model's T)")
  Integer steps;

  @Option(names = "--eta", paramLabel = "E", description = "DDIM's noise (default: 1, stochastic DDIM, which "
      + "gives briefly trained models cleaner samples than 0)")
  Double eta;

  @Option(names = "--seed", defaultValue = "0")
  long seed;

  @Option(names = "--resamplings", paramLabel = "N", description = "inpainting models: take every reverse step "
      + "but the last N times (RePaint's resampling; N times the network calls) (default: the export's "
      + "inpainting.resamplings)")
  Integer resamplings;

  @Option(names = "--guidance", split = ",", paramLabel = "W[,W...]",
      description = "guidance scales for class-conditional models (default: 0, 1 and the card's scale)")
  List<Double> guidance = new ArrayList<>();

  @Option(names = "--sweep", split = ",", paramLabel = "K[,K...]",
      description = "instead of the task's metrics, score every few-step sampler (ddim eta 1 and 0, dpmpp2m, "
          + "dpmpp2m-sde, heun) at each step count K: SWD, and per-class accuracy for class-conditional models; "
          + "unconditional and class-conditional exports; --sampler, --steps and --eta do not apply")
  List<Integer> sweep = new ArrayList<>();

  @Option(names = "--inception", paramLabel = "PATH",
      description = "classify_image_graph_def.pb (or its folder) for FID/KID; without it they are skipped")
  Path inception;

  @Option(names = "--classifier", paramLabel = "DIR", description = "a saved classifier (default: "
      + "EXPORT_DIR/classifier, trained on --data the first time)")
  Path classifier;

  @Option(names = "--run", paramLabel = "RUN_DIR", description = "also log the metrics to this run's TensorBoard")
  Path run;

  @Option(names = "--out", paramLabel = "FILE.json", description = "default: EXPORT_DIR/metrics.json, or ./metrics.json with --images")
  Path out;

  @Override
  public Integer call() throws Exception {
    if (samples < 1 || (steps != null && steps < 1)) {
      throw new OptionException("--samples and --steps must be positive, got " + samples + " and " + steps);
    }
    Sampling.Method method;
    try {
      method = Sampling.Method.parse(sampler);
    } catch (SamplingException e) {
      throw new OptionException("--sampler: " + e.getMessage());
    }
    boolean ddim = method == Sampling.Method.DDIM;
    if (eta != null && !ddim) {
      throw new OptionException("--eta applies to --sampler ddim only, got --sampler " + sampler);
    }
    ModelEvaluation.Chain chain = new ModelEvaluation.Chain(method,
        steps != null ? steps : Sampling.defaultSteps(method),
        eta != null ? eta : ddim ? 1.0 : 0.0);
    if (inception != null) {
      if (samples < 2) {
        throw new OptionException("FID and KID (--inception) need --samples of at least 2, got " + samples);
      }
      InceptionFeatures.requireGraph(inception);
    }
    if (images != null || reference != null) {
      if (images == null || reference == null || export != null) {
        throw new OptionException("compare folders with --images DIR --reference DIR (and no EXPORT_DIR)");
      }
      if (size < 8) {
        throw new OptionException("--size must be at least 8, got " + size);
      }
      FolderComparison.run(images, reference, size, samples, inception, out, System.out);
      return 0;
    }
    if (export == null) {
      throw new OptionException("give an EXPORT_DIR, or --images DIR --reference DIR");
    }
    if (resamplings != null && resamplings < 0) {
      throw new OptionException("--resamplings must be 0 or more (0 or 1: every step once), got " + resamplings);
    }
    ModelEvaluation.run(export, new ModelEvaluation.Options(samples, chain, seed, data, inception, classifier,
        guidance, run, resamplings, sweep), out, System.out);
    return 0;
  }
}
