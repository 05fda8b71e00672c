package org.diffusiondepot.firststage;

import java.util.List;
import org.diffusiondepot.data.Batch;
import org.diffusiondepot.runtime.Tensors;
import org.diffusiondepot.task.SignatureInput;
import org.diffusiondepot.train.BatchEncoder;
import org.diffusiondepot.train.TrainingContext;
import org.tensorflow.Tensor;

/** A first stage's training rows as tensors: the images themselves. */
final class FirstStageBatches implements BatchEncoder {
  static final String IMAGES = "images";
  private final FirstStageSpec spec;

  FirstStageBatches(FirstStageSpec spec) {
    this.spec = spec;
  }

  static FirstStageBatches of(TrainingContext context) {
    return new FirstStageBatches(FirstStageSpec.fromConfig(context.config()));
  }

  static List<SignatureInput> inputs(FirstStageSpec spec) {
    return List.of(new SignatureInput(IMAGES, false, spec.imageSize(), spec.imageSize(), spec.imageChannels()));
  }

  @Override
  public List<SignatureInput> inputs() {
    return inputs(spec);
  }

  @Override
  public List<Tensor> encode(Batch rows, long step, int firstRow) {
    return List.of(Tensors.of(rows.images(), rows.size(), spec.imageSize(), spec.imageSize(), spec.imageChannels()));
  }
}
