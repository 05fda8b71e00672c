package org.diffusiondepot.serve;

import org.diffusiondepot.sampler.DepotModel;
import org.diffusiondepot.sampler.Sampling;

/**
 * A checked request: the settings and the task's inputs. It configures the library exactly as
 * {@code depot-sample} does for the same options, so that {@link ReproCommand} reproduces it.
 */
record JobRequest(SampleSettings settings, TaskInputs inputs) {

  /** Images to generate: {@code num}, or {@code num} per class for "all". */
  int count() {
    return inputs.labels() != null ? inputs.labels().length : settings.num();
  }

  /** Columns of the command line's grid: one row per class for "all", else about square. */
  int gridColumns() {
    return "all".equals(settings.className()) ? settings.num() : (int) Math.ceil(Math.sqrt(settings.num()));
  }

  /** The library call, in the order {@code SampleCli} makes it. */
  Sampling sampling(DepotModel model, int batch) {
    Sampling request = model.sampling().count(count()).method(settings.method(), settings.steps())
        .eta(settings.eta()).seed(settings.seed()).maxBatch(batch);
    if (inputs.labels() != null) {
      request.classLabels(inputs.labels());
    }
    if (settings.guidance() != null) {
      request.guidance(settings.guidance());
    }
    if (inputs.imagePixels() != null) {
      request.inpaint(inputs.imagePixels(), inputs.maskPixels());
    }
    if (inputs.lowResPixels() != null) {
      request.lowRes(inputs.lowResPixels());
    }
    return request;
  }
}
