package org.diffusiondepot.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import org.diffusiondepot.diffusion.ConditionInputs;
import org.diffusiondepot.task.SignatureInput;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** Neutral conditioning tensors (zeros: class 0, an empty mask, a grey image) so any task can be timed. */
final class ConditionFeeds implements AutoCloseable {
  private final ConditionInputs inputs;
  private final Map<String, Tensor> tensors = new LinkedHashMap<>();

  ConditionFeeds(ConditionInputs inputs, Iterable<SignatureInput> specs, int batch) {
    this.inputs = inputs;
    for (SignatureInput spec : specs) {
      long[] shape = spec.batchShape();
      shape[0] = batch;
      // tensorOf(Shape) leaves the memory as it finds it: class labels came out as -2013265440
      Shape s = Shape.of(shape);
      tensors.put(spec.name(), spec.integer() ? TInt32.tensorOf(NdArrays.ofInts(s)) : TFloat32.tensorOf(NdArrays.ofFloats(s)));
    }
  }

  void apply(Session.Runner runner) {
    inputs.feed(runner, tensors);
  }

  @Override
  public void close() {
    tensors.values().forEach(Tensor::close);
  }
}
