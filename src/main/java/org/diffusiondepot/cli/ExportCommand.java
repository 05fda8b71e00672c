package org.diffusiondepot.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.diffusiondepot.export.Exporter;
import org.diffusiondepot.firststage.FirstStageExporter;
import org.diffusiondepot.proto.Precision;
import org.diffusiondepot.proto.Task;
import org.diffusiondepot.run.RunDirectory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "export", description = "Write a SavedModel with the EMA weights of a run's latest "
    + "checkpoint, for tools/depot-sample and the sampler library.",
    footer = {
        "  tools/depot export checkpoints/demo --out checkpoints/demo-export",
        "  tools/depot-sample --model checkpoints/demo-export --out samples.png"})
final class ExportCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "RUN_DIR")
  Path runDir;

  @Option(names = "--out", required = true, paramLabel = "EXPORT_DIR")
  Path out;

  @Option(names = "--precision", paramLabel = "FP32|BF16|FP16", defaultValue = "FP32",
      description = "arithmetic the sampler runs the network in: BF16 on CPUs with AVX512_BF16/AMX, FP16 on GPUs; "
          + "the weights stay fp32 (default: ${DEFAULT-VALUE})")
  Precision precision;

  @Override
  public Integer call() throws Exception {
    if (new RunDirectory(runDir).loadConfig().getTask() == Task.FIRST_STAGE) {
      FirstStageExporter.export(runDir, out, System.out);
    } else {
      Exporter.export(runDir, out, System.out, precision);
    }
    return 0;
  }
}
