package org.diffusiondepot.sampler.cli;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import org.diffusiondepot.image.ImageGrid;
import org.diffusiondepot.image.InputImages;
import org.diffusiondepot.proto.ModelCard;
import org.diffusiondepot.runtime.Progress;
import org.diffusiondepot.runtime.UserErrorHandler;
import org.diffusiondepot.runtime.VersionInfo;
import org.diffusiondepot.sampler.DepotModel;
import org.diffusiondepot.sampler.Samples;
import org.diffusiondepot.sampler.Sampling;
import org.diffusiondepot.sampler.SamplingException;
import org.diffusiondepot.task.InpaintingTask;
import org.diffusiondepot.task.SuperResolutionTask;
import org.diffusiondepot.sampler.StepListener;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/** {@code tools/depot-sample}: images from an export, with no training code on the class path. */
@Command(name = "depot-sample", mixinStandardHelpOptions = true,
    description = "Generate images from a model exported with 'tools/depot export'.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {UserErrorHandler.HELP_OK, UserErrorHandler.HELP_BUG, UserErrorHandler.HELP_BAD_INPUT},
    footerHeading = "%nExamples:%n",
    footer = {
        "  tools/depot-sample --model exports/lhq --num 16 --sampler ddim --steps 50 \\",
        "      --seed 1 --out lhq.png",
        "  tools/depot-sample --model exports/lhq --num 4 --sampler ddpm \\",
        "      --out lhq-ddpm.png --out-dir lhq-ddpm/",
        "  tools/depot-sample --model checkpoints/class-export --class all --num 8 \\",
        "      --guidance 3 --out classes.png",
        "  tools/depot-sample --model checkpoints/inpaint-export --image photo.png \\",
        "      --mask mask.png --num 4 --out filled.png",
        "  tools/depot-sample --model checkpoints/demo-sr-export --low-res small.png \\",
        "      --out big.png"})
public final class SampleCli implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--model", required = true, paramLabel = "EXPORT_DIR", description = "the export to sample")
  Path model;

  @Option(names = "--num", defaultValue = "16", description = "number of samples (default: ${DEFAULT-VALUE})")
  int num;

  @Option(names = "--sampler", defaultValue = "ddim", paramLabel = "ddpm|ddim|dpmpp2m|dpmpp2m-sde|heun",
      description = "ddpm: ancestral sampling over the full chain; ddim: K respaced steps (default 50, --eta); "
          + "dpmpp2m: DPM-Solver++(2M), K steps of a 2nd-order multistep ODE solver, one network evaluation each "
          + "(default 20); dpmpp2m-sde: its stochastic twin (SDE-DPM-Solver++(2M)), fresh noise every step like "
          + "ddim --eta 1 (default 20); heun: Heun's 2nd-order ODE solver on Karras et al.'s noise levels, K steps of two "
          + "evaluations but the last (default 20, i.e. 39 evaluations) (default: ${DEFAULT-VALUE})")
  String sampler;

  @Option(names = "--steps", paramLabel = "K", description = "steps for ddim (default 50), dpmpp2m, dpmpp2m-sde and heun "
      + "(default 20); ddpm always runs T steps")
  Integer steps;

  @Option(names = "--eta", defaultValue = "0", description = "DDIM noise, 0 = deterministic (default: ${DEFAULT-VALUE})")
  double eta;

  @Option(names = "--seed", defaultValue = "0", description = "random seed (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--resamplings", paramLabel = "N", description = "inpainting models: take every reverse step "
      + "but the last N times (RePaint's resampling; N times the network calls) (default: the export's "
      + "inpainting.resamplings)")
  Integer resamplings;

  @Option(names = "--out", defaultValue = "samples.png", paramLabel = "FILE.png",
      description = "grid of all samples (default: ${DEFAULT-VALUE})")
  Path out;

  @Option(names = "--out-dir", paramLabel = "DIR", description = "also write one PNG per sample here")
  Path outDir;

  @Option(names = "--class", paramLabel = "NAME|INDEX|all", description = "class to generate; 'all': one row per class")
  String classOption;

  @Option(names = "--guidance", paramLabel = "W", description = "classifier-free guidance scale (default: the model card's)")
  Double guidance;

  @Option(names = "--image", paramLabel = "IN.png", description = "image to inpaint")
  Path image;

  @Option(names = "--mask", paramLabel = "MASK.png", description = "inpainting mask, white = fill")
  Path mask;

  @Option(names = "--low-res", paramLabel = "IN.png", description = "low-resolution image to upscale")
  Path lowRes;

  @Option(names = "--batch", defaultValue = "16", description = "largest batch per network call (default: ${DEFAULT-VALUE})")
  int batch;

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  public static int execute(String... args) {
    return execute(new java.io.PrintWriter(System.out, true), new java.io.PrintWriter(System.err, true), args);
  }

  public static int execute(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
    return commandLine(new SampleCli(), out, err).execute(args);
  }

  /** {@code command} with this tool's streams, error handling and --version (the same as {@code depot}'s). */
  static CommandLine commandLine(Object command, java.io.PrintWriter out, java.io.PrintWriter err) {
    CommandLine cli = new CommandLine(command);
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler(new UserErrorHandler());
    VersionInfo.install(cli);
    return cli;
  }

  @Override
  public Integer call() throws IOException {
    Sampling.Method method = Sampling.Method.parse(sampler);
    if (num < 1) {
      throw new SamplingException("--num must be at least 1, got " + num);
    }
    OutputCheck.writableFile(out);
    if (outDir != null) {
      OutputCheck.writableDirectory(outDir);
    }
    try (DepotModel depot = DepotModel.load(model)) {
      ModelCard card = depot.card();
      Sampling request = depot.sampling().count(num).method(method, steps).eta(eta).seed(seed).maxBatch(batch);
      if (resamplings != null) {
        request.resamplings(resamplings);
      }
      int columns = (int) Math.ceil(Math.sqrt(num));
      if (classOption != null) {
        ClassChoice choice = ClassChoice.parse(classOption, depot.task());
        int[] labels = choice.labels(num);
        request.count(labels.length).classLabels(labels);
        if (choice.all()) {
          columns = num;
        }
      }
      if (guidance != null) {
        request.guidance(guidance);
      }
      if (image != null || mask != null || depot.task() instanceof InpaintingTask) {
        InputImages.Inpainting input = InputImages.inpainting(image, mask, card.getImageSize(), card.getImageChannels(),
            spec.commandLine().getErr()::println);
        request.inpaint(input.image(), input.mask());
      }
      if (lowRes != null || depot.task() instanceof SuperResolutionTask) {
        int low = depot.task() instanceof SuperResolutionTask sr ? sr.lowResSize() : card.getImageSize();
        request.lowRes(InputImages.lowRes(lowRes, low, card.getImageChannels(), spec.commandLine().getErr()::println));
      }
      int chain = request.chainLength();
      Samples samples;
      try (ProgressBar bar = Progress.bar("sample", (long) chain * request.chunks(), 0)) {
        samples = request.run(StepListener.everyEvaluation(bar::step));
      }
      BufferedImage grid = samples.grid(columns);
      ImageGrid.writePng(ImageGrid.enlarge(grid, samples.size() < 64 ? 4 : 1), out);
      spec.commandLine().getOut().printf("wrote %d samples (%s, %d steps, seed %d) to %s%n", samples.count(),
          sampler.toLowerCase(), request.sampler().timesteps().length, seed, out);
      if (outDir != null) {
        List<BufferedImage> images = samples.images();
        for (int i = 0; i < images.size(); i++) {
          ImageGrid.writePng(images.get(i), outDir.resolve(String.format("sample-%04d.png", i)));
        }
        spec.commandLine().getOut().printf("wrote %d PNGs to %s%n", images.size(), outDir);
      }
      return 0;
    }
  }
}
