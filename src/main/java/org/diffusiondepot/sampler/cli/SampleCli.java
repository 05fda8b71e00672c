package org.diffusiondepot.sampler.cli;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import org.diffusiondepot.image.ImageGrid;
import org.diffusiondepot.image.InputImages;
import org.diffusiondepot.proto.ModelCard;
import org.diffusiondepot.proto.Task;
import org.diffusiondepot.runtime.Progress;
import org.diffusiondepot.sampler.DepotModel;
import org.diffusiondepot.sampler.Samples;
import org.diffusiondepot.sampler.Sampling;
import org.diffusiondepot.sampler.SamplingException;
import org.diffusiondepot.sampler.StepListener;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tools/depot-sample}: images from an export, with no training code on the class path. */
@Command(name = "depot-sample", mixinStandardHelpOptions = true, version = "Diffusion Depot sampler 0.1",
    description = "Generate images from a model exported with 'tools/depot export'.")
public final class SampleCli implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--model", required = true, paramLabel = "EXPORT_DIR", description = "the export to sample")
  Path model;

  @Option(names = "--num", defaultValue = "16", description = "number of samples (default: ${DEFAULT-VALUE})")
  int num;

  @Option(names = "--sampler", defaultValue = "ddim", paramLabel = "ddpm|ddim|dpmpp2m|heun",
      description = "ddpm: ancestral sampling over the full chain; ddim: K respaced steps (default 50, --eta); "
          + "dpmpp2m: DPM-Solver++(2M), K steps of a 2nd-order multistep ODE solver, one network evaluation each "
          + "(default 20); heun: Heun's 2nd-order ODE solver on Karras et al.'s noise levels, K steps of two "
          + "evaluations but the last (default 20, i.e. 39 evaluations) (default: ${DEFAULT-VALUE})")
  String sampler;

  @Option(names = "--steps", paramLabel = "K", description = "steps for ddim (default 50), dpmpp2m and heun "
      + "(default 20); ddpm always runs T steps")
  Integer steps;

  @Option(names = "--eta", defaultValue = "0", description = "DDIM noise, 0 = deterministic (default: ${DEFAULT-VALUE})")
  double eta;

  @Option(names = "--seed", defaultValue = "0", description = "random seed (default: ${DEFAULT-VALUE})")
  long seed;

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
    CommandLine cli = new CommandLine(new SampleCli());
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler((e, line, parsed) -> {
      if (e instanceof SamplingException || e instanceof IllegalArgumentException || e instanceof IOException) {
        line.getErr().println("error: " + describe(e));
        return 2;
      }
      e.printStackTrace(line.getErr());
      return 1;
    });
    return cli.execute(args);
  }

  private static String describe(Exception e) {
    if (e instanceof NoSuchFileException) {
      return "no such file: " + e.getMessage();
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied: " + e.getMessage();
    }
    return e.getMessage();
  }

  @Override
  public Integer call() throws IOException {
    Sampling.Method method = switch (sampler.toLowerCase()) {
      case "ddpm" -> Sampling.Method.DDPM;
      case "ddim" -> Sampling.Method.DDIM;
      case "dpmpp2m" -> Sampling.Method.DPMPP_2M;
      case "heun" -> Sampling.Method.HEUN;
      default -> throw new SamplingException("unknown sampler '" + sampler + "'; use ddpm, ddim, dpmpp2m or heun");
    };
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
      int columns = (int) Math.ceil(Math.sqrt(num));
      if (classOption != null) {
        ClassChoice choice = ClassChoice.parse(classOption, card);
        int[] labels = choice.labels(num);
        request.count(labels.length).classLabels(labels);
        if (choice.all()) {
          columns = num;
        }
      }
      if (guidance != null) {
        request.guidance(guidance);
      }
      if (card.getTask() == Task.INPAINTING || image != null || mask != null) {
        requireTask(card, Task.INPAINTING, "--image/--mask");
        InputImages.Inpainting input = InputImages.inpainting(image, mask, card.getImageSize(), card.getImageChannels(),
            spec.commandLine().getErr()::println);
        request.inpaint(input.image(), input.mask());
      }
      if (card.getTask() == Task.SUPER_RESOLUTION || lowRes != null) {
        requireTask(card, Task.SUPER_RESOLUTION, "--low-res");
        request.lowRes(InputImages.lowRes(lowRes, card.getLowResSize(), card.getImageChannels(),
            spec.commandLine().getErr()::println));
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

  private static void requireTask(ModelCard card, Task task, String option) {
    if (card.getTask() != task) {
      throw new SamplingException(option + " applies to " + task + " models; this one is " + card.getTask());
    }
  }
}
