package org.diffusiondepot.firststage;

import java.util.HashMap;
import java.util.Map;
import org.diffusiondepot.nn.Initializer;
import org.diffusiondepot.nn.ParameterStore;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;

/**
 * Hands out each parameter of another store once and returns the same tensor on later requests,
 * so that encode and decode can share the codebook in one graph (a VariableStore refuses a name
 * twice).
 */
final class ReusingStore implements ParameterStore {
  private final ParameterStore delegate;
  private final Map<String, Operand<TFloat32>> handedOut = new HashMap<>();

  ReusingStore(ParameterStore delegate) {
    this.delegate = delegate;
  }

  @Override
  public Operand<TFloat32> parameter(String name, Shape shape, Initializer initializer) {
    Operand<TFloat32> known = handedOut.get(name);
    if (known != null) {
      if (!known.shape().equals(shape)) {
        throw new IllegalStateException("parameter " + name + " requested as " + shape + " and " + known.shape());
      }
      return known;
    }
    Operand<TFloat32> created = delegate.parameter(name, shape, initializer);
    handedOut.put(name, created);
    return created;
  }
}
