package org.diffusiondepot.sampler.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.diffusiondepot.proto.ModelCard;
import org.diffusiondepot.sampler.DepotModel;
import org.diffusiondepot.sampler.Sampling;
import org.diffusiondepot.sampler.StepListener;
import org.diffusiondepot.task.InpaintingTask;
import org.diffusiondepot.task.SuperResolutionTask;

/**
 * The child process of tools/depot-tune-sampler: loads an export in a fresh JVM (whose
 * TF_ENABLE_ONEDNN_OPTS the tuner set) and times a DDIM chain the way depot-sample runs it, one
 * network call and its host-side update per step, on neutral inputs (a gray image with a square hole
 * for inpainting, a gray low-res image for super-resolution). Prints one line,
 * {@code STEP_SECONDS s1 s2 ...}: the time between consecutive network calls, so the first call,
 * which also sets the kernels up, is left out.
 *
 * <p>Arguments: EXPORT_DIR BATCH STEPS.
 */
public final class SamplingStepProbe {
  static final String PREFIX = "STEP_SECONDS";

  private SamplingStepProbe() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: SamplingStepProbe EXPORT_DIR BATCH STEPS");
      System.exit(2);
    }
    int batch = Integer.parseInt(args[1]);
    int steps = Integer.parseInt(args[2]);
    List<Double> seconds = new ArrayList<>();
    try (DepotModel depot = DepotModel.load(Path.of(args[0]))) {
      ModelCard card = depot.card();
      Sampling request = depot.sampling().count(batch).maxBatch(batch).ddim(steps + 1).seed(0);
      if (depot.task() instanceof InpaintingTask) {
        int size = card.getImageSize();
        float[] mask = new float[size * size];
        for (int y = size / 4; y < size - size / 4; y++) {
          for (int x = size / 4; x < size - size / 4; x++) {
            mask[y * size + x] = 1;
          }
        }
        request.inpaint(new float[size * size * card.getImageChannels()], mask);
      }
      if (depot.task() instanceof SuperResolutionTask sr) {
        request.lowRes(new float[sr.lowResSize() * sr.lowResSize() * card.getImageChannels()]);
      }
      long[] last = {0};
      request.run(StepListener.everyEvaluation(() -> {
        long now = System.nanoTime();
        if (last[0] != 0) {
          seconds.add((now - last[0]) / 1e9);
        }
        last[0] = now;
      }));
    }
    StringBuilder line = new StringBuilder(PREFIX);
    seconds.forEach(s -> line.append(' ').append(String.format(java.util.Locale.ROOT, "%.5f", s)));
    System.out.println(line);
  }
}
