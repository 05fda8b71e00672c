package org.diffusiondepot.nn;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * Creates one classic (VariableV2) variable per parameter, initialised by the graph's init ops, so
 * that {@code Session.save} checkpoints it. Hands out {@code identity(variable)}: an op applied to
 * the ref variable itself crashes gradient construction in TensorFlow Java 1.1.0.
 */
public final class VariableStore implements ParameterStore {
  private final Ops tf;
  private final String root;
  private final long seed;
  private final boolean restoredLater;
  private final Map<String, Variable<TFloat32>> variables = new LinkedHashMap<>();
  private final Map<String, Operand<TFloat32>> reads = new LinkedHashMap<>();

  /**
   * @param root name prefix of every variable (e.g. "unet"); the checkpoint key of a parameter is
   *     root + "/" + its name
   */
  public VariableStore(Ops tf, String root, long seed) {
    this(tf, root, seed, false);
  }

  private VariableStore(Ops tf, String root, long seed, boolean restoredLater) {
    this.tf = tf;
    this.root = root;
    this.seed = seed;
    this.restoredLater = restoredLater;
  }

  /** Variables whose values always come from a checkpoint: initialised with zeros, no random ops. */
  public static VariableStore forRestore(Ops tf, String root) {
    return new VariableStore(tf, root, 0, true);
  }

  @Override
  public Operand<TFloat32> parameter(String name, Shape shape, Initializer initializer) {
    String key = root + "/" + name;
    if (variables.containsKey(key)) {
      throw new IllegalStateException("parameter requested twice: " + key);
    }
    Ops scoped = scopedOps(tf, key);
    long paramSeed = seed * 1_000_003L + key.hashCode();
    Operand<TFloat32> init = (restoredLater ? Initializer.zeros() : initializer).create(tf.withInitScope(), shape, paramSeed);
    Variable<TFloat32> variable = scoped.variable(init);
    variables.put(key, variable);
    Operand<TFloat32> read = tf.identity(variable);
    reads.put(key, read);
    return read;
  }

  /**
   * Ops whose next op is named after {@code path} with dots for slashes ("unet/conv_in/kernel"
   * becomes op "unet.conv_in.kernel"). Sub-scopes would give slashes, but each one scans the whole
   * graph in TensorFlow Java 1.1.0, which made building a large graph quadratic.
   */
  public static Ops scopedOps(Ops tf, String path) {
    return tf.withName(opName(path));
  }

  /** The op (and checkpoint) name of a parameter path. */
  public static String opName(String path) {
    return path.replace('/', '.');
  }

  /** Variables in creation order, keyed by checkpoint name. */
  public Map<String, Variable<TFloat32>> variables() {
    return Collections.unmodifiableMap(variables);
  }

  /** The identity op through which the network reads each variable, keyed like {@link #variables()}. */
  public Map<String, Operand<TFloat32>> reads() {
    return Collections.unmodifiableMap(reads);
  }

  public long parameterCount() {
    long total = 0;
    for (Variable<TFloat32> v : variables.values()) {
      total += v.shape().size();
    }
    return total;
  }
}
