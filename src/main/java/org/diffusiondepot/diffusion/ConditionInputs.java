package org.diffusiondepot.diffusion;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.diffusiondepot.task.SignatureInput;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The placeholders of a denoiser's conditioning inputs in one graph, keyed by the names the task
 * and the export contract give them, in the order the task lists them.
 */
public final class ConditionInputs {
  private final Map<String, Placeholder<?>> byName;

  private ConditionInputs(Map<String, Placeholder<?>> byName) {
    this.byName = Collections.unmodifiableMap(byName);
  }

  /** One placeholder per input, named as the input (in {@code tf}'s scope), batch dimension open. */
  public static ConditionInputs create(Ops tf, Iterable<SignatureInput> inputs) {
    Map<String, Placeholder<?>> map = new LinkedHashMap<>();
    for (SignatureInput input : inputs) {
      Placeholder.Options shape = Placeholder.shape(Shape.of(input.batchShape()));
      map.put(input.name(), input.integer()
          ? tf.withName(input.name()).placeholder(TInt32.class, shape)
          : tf.withName(input.name()).placeholder(TFloat32.class, shape));
    }
    return new ConditionInputs(map);
  }

  public Map<String, Placeholder<?>> byName() {
    return byName;
  }

  /** The placeholder of input {@code name}. */
  public Placeholder<?> get(String name) {
    Placeholder<?> p = byName.get(name);
    if (p == null) {
      throw new IllegalArgumentException("the denoiser has no conditioning input '" + name + "'; it has "
          + byName.keySet());
    }
    return p;
  }

  /** Feeds every input from {@code tensors} (keyed by name), which must hold exactly these inputs. */
  public Session.Runner feed(Session.Runner runner, Map<String, ? extends Tensor> tensors) {
    if (!tensors.keySet().equals(byName.keySet())) {
      throw new IllegalArgumentException("conditioning " + tensors.keySet() + " does not match the denoiser's inputs "
          + byName.keySet());
    }
    byName.forEach((name, placeholder) -> runner.feed(placeholder, tensors.get(name)));
    return runner;
  }
}
