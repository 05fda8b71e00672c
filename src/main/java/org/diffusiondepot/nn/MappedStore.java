package org.diffusiondepot.nn;

import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Reads parameters from existing tensors, e.g. the EMA shadows of a training graph, so that the
 * same network can be evaluated with another set of weights in the same graph.
 */
public final class MappedStore implements ParameterStore {
  private final Ops tf;
  private final String root;
  private final Map<String, ? extends Operand<TFloat32>> sources;

  public MappedStore(Ops tf, String root, Map<String, ? extends Operand<TFloat32>> sources) {
    this.tf = tf;
    this.root = root;
    this.sources = sources;
  }

  @Override
  public Operand<TFloat32> parameter(String name, Shape shape, Initializer initializer) {
    String key = root + "/" + name;
    Operand<TFloat32> source = sources.get(key);
    if (source == null) {
      throw new IllegalStateException("no source for parameter " + key);
    }
    if (!source.shape().equals(shape)) {
      throw new IllegalStateException("parameter " + key + " has shape " + source.shape() + ", expected " + shape);
    }
    return tf.identity(source);
  }
}
