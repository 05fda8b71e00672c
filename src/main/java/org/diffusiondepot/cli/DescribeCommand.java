package org.diffusiondepot.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.diffusiondepot.config.ConfigLoader;
import org.diffusiondepot.diffusion.Denoiser;
import org.diffusiondepot.firststage.FirstStageDescriber;
import org.diffusiondepot.nn.ArchitectureSummary;
import org.diffusiondepot.nn.CountingStore;
import org.diffusiondepot.proto.ExperimentConfig;
import org.diffusiondepot.proto.Task;
import org.tensorflow.Graph;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "describe", description = "Print a config's architecture and its parameter count "
    + "(built as a graph of placeholders: no weights are allocated).",
    footer = {
        "  tools/depot describe graphs/lhq_udm.pbtxt",
        "  tools/depot describe graphs/demo/uncond.pbtxt --set model.base_channels=64 \\",
        "      --set 'model.attention_resolutions=[16, 8]'"})
final class DescribeCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "CONFIG", description = "experiment config (.pbtxt)")
  Path config;

  @Mixin
  ConfigOverrideOption set;

  @Override
  public Integer call() {
    ExperimentConfig c = ConfigLoader.load(config, set.overrides());
    System.out.printf("%s: %s%n", c.getName(), c.getDescription());
    if (c.getTask() == Task.FIRST_STAGE) {
      System.out.print(FirstStageDescriber.describe(c));
      return 0;
    }
    System.out.printf("task %s, %s, %dpx, %s betas, variance %s, T = %d%n", c.getTask(),
        c.getData().getDataset(), c.getData().getResolution(), c.getDiffusion().getBetaSchedule(),
        c.getDiffusion().getVariance(), c.getDiffusion().getTimesteps());
    Denoiser denoiser = Denoiser.fromConfig(c);
    System.out.println(denoiser.task().summary());
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      CountingStore store = new CountingStore(tf);
      int size = denoiser.modelSize();
      var x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, size, size, denoiser.modelChannels())));
      var t = tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
      denoiser.predictNoise(tf, store, x, t, denoiser.placeholders(tf));
      System.out.print(ArchitectureSummary.describe(denoiser.spec(), store.shapes()));
    }
    return 0;
  }
}
