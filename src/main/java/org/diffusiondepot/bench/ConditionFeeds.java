package org.diffusiondepot.bench;

import java.util.ArrayList;
import java.util.List;
import org.diffusiondepot.diffusion.ConditionInputs;
import org.diffusiondepot.runtime.Tensors;
import org.tensorflow.Session;
import org.tensorflow.Tensor;

/** Neutral conditioning tensors (label 0, empty mask, grey low-res) so any task can be timed. */
final class ConditionFeeds implements AutoCloseable {
  private final ConditionInputs inputs;
  private final List<Tensor> tensors = new ArrayList<>();
  private Tensor label;
  private Tensor masked;
  private Tensor mask;
  private Tensor lowRes;

  ConditionFeeds(ConditionInputs inputs, int batch, int size, int channels) {
    this.inputs = inputs;
    if (inputs.label() != null) {
      label = track(Tensors.of(new int[batch], batch));
    }
    if (inputs.maskedImage() != null) {
      masked = track(Tensors.of(new float[batch * size * size * channels], batch, size, size, channels));
      mask = track(Tensors.of(new float[batch * size * size], batch, size, size, 1));
    }
    if (inputs.lowRes() != null) {
      long lowChannels = inputs.lowRes().shape().get(3);
      lowRes = track(Tensors.of(new float[(int) (batch * size * size * lowChannels)], batch, size, size, lowChannels));
    }
  }

  private Tensor track(Tensor t) {
    tensors.add(t);
    return t;
  }

  void apply(Session.Runner runner) {
    if (label != null) {
      runner.feed(inputs.label(), label);
    }
    if (masked != null) {
      runner.feed(inputs.maskedImage(), masked).feed(inputs.mask(), mask);
    }
    if (lowRes != null) {
      runner.feed(inputs.lowRes(), lowRes);
    }
  }

  @Override
  public void close() {
    tensors.forEach(Tensor::close);
  }
}
