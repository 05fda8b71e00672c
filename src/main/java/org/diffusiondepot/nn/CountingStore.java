package org.diffusiondepot.nn;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * Hands out placeholders in place of weights and records their shapes: a graph built with it can
 * be inspected and counted without allocating a single weight, even for the 496M-parameter model.
 */
public final class CountingStore implements ParameterStore {
  private final Ops tf;
  private final Map<String, Shape> shapes = new LinkedHashMap<>();

  public CountingStore(Ops tf) {
    this.tf = tf;
  }

  @Override
  public Operand<TFloat32> parameter(String name, Shape shape, Initializer initializer) {
    if (shapes.put(name, shape) != null) {
      throw new IllegalStateException("parameter requested twice: " + name);
    }
    return tf.placeholder(TFloat32.class, Placeholder.shape(shape));
  }

  public Map<String, Shape> shapes() {
    return Collections.unmodifiableMap(shapes);
  }

  public long parameterCount() {
    return shapes.values().stream().mapToLong(Shape::size).sum();
  }
}
