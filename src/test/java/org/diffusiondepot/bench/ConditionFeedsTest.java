package org.diffusiondepot.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.List;
import org.diffusiondepot.diffusion.ConditionInputs;
import org.diffusiondepot.runtime.Tensors;
import org.diffusiondepot.task.SignatureInput;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.StdArrays;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The benchmark's conditioning is what it says, zeros (class 0, an empty mask): tensors made
 * without values held whatever was in memory, and a class model's bench failed on a label of
 * -2013265440.
 */
class ConditionFeedsTest {
  @Test
  void everyFedValueIsZero() {
    List<SignatureInput> specs = List.of(new SignatureInput("label", true), new SignatureInput("mask", false, 8, 8, 1));
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      ConditionInputs inputs = ConditionInputs.create(tf, specs);
      // fetched through identities of the placeholders, as the benchmark's graph reads them
      var label = tf.identity(inputs.byName().get("label").asOutput().expect(TInt32.class));
      var mask = tf.identity(inputs.byName().get("mask").asOutput().expect(TFloat32.class));
      try (ConditionFeeds feeds = new ConditionFeeds(inputs, specs, 64)) {
        Session.Runner runner = s.runner().fetch(label).fetch(mask);
        feeds.apply(runner);
        try (Result r = runner.run()) {
          assertArrayEquals(new int[64], StdArrays.array1dCopyOf((TInt32) r.get(0)));
          assertArrayEquals(new float[64 * 8 * 8], Tensors.floats((TFloat32) r.get(1)));
        }
      }
    }
  }
}
