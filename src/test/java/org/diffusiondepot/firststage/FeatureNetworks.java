package org.diffusiondepot.firststage;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.diffusiondepot.nn.Initializer;
import org.diffusiondepot.nn.VariableStore;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/** A stand-in for a user's perceptual feature network: two conv + ReLU blocks with variables. */
final class FeatureNetworks {
  private FeatureNetworks() {}

  /** Exports it as a plain-graph SavedModel with outputs "block1" (full size) and "block2" (half size). */
  static Path export(Path dir) throws IOException {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      VariableStore weights = new VariableStore(tf, "features", 4);
      Placeholder<TFloat32> image = tf.withName("image").placeholder(TFloat32.class,
          Placeholder.shape(Shape.of(-1, -1, -1, 3)));
      Operand<TFloat32> k1 = weights.parameter("conv1", Shape.of(3, 3, 3, 5), Initializer.normal(0.5f));
      Operand<TFloat32> k2 = weights.parameter("conv2", Shape.of(3, 3, 5, 4), Initializer.normal(0.5f));
      Operand<TFloat32> f1 = tf.nn.relu(tf.nn.conv2d(image, k1, List.of(1L, 1L, 1L, 1L), "SAME"));
      Operand<TFloat32> pooled = tf.nn.avgPool(f1, List.of(1L, 2L, 2L, 1L), List.of(1L, 2L, 2L, 1L), "VALID");
      Operand<TFloat32> f2 = tf.nn.relu(tf.nn.conv2d(pooled, k2, List.of(1L, 1L, 1L, 1L), "SAME"));
      try (Session s = new Session(g)) {
        s.initialize();
        SavedModelBundle.exporter(dir.toString()).withSession(s).withSignature(Signature.builder()
            .key("serving_default").input("image", image).output("block1", f1).output("block2", f2).build()).export();
      }
    }
    return dir;
  }
}
