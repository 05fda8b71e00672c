package org.diffusiondepot.nn;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * Gradient checkpointing by segments (Chen et al. 2016, "Training deep nets with sublinear memory
 * cost"; PyTorch's {@code torch.utils.checkpoint}): a network built as a chain of segments (a
 * UNet's blocks) keeps only what flows between them for the backward pass, and rebuilds each
 * segment's inside from its kept inputs when the backward pass reaches it.
 * <p>
 * {@link Graph#addGradients} differentiates through the ops it is given, so the backward pass is
 * assembled here segment by segment, last first: the gradient reaching a segment's output is the
 * sum of what its consumers sent back; the segment is built a second time from its original
 * inputs, each read through an Identity with a control dependency on that gradient (so the copy
 * runs during the backward pass, not beside the forward one, and grappler cannot merge it with the
 * original), and with the same parameter tensors; and the copy alone is differentiated with respect
 * to those identities and its parameters. No gradient op reads a tensor inside an original
 * segment, so TensorFlow frees those as soon as the forward pass has used them.
 * <p>
 * Every op of the network must sit in a segment, and a segment's inputs must be outputs of earlier
 * segments or the network's inputs (whose gradients are not needed). The recomputed forward pass
 * costs about a third more compute per step. Random ops inside a segment would draw again, so
 * the network must be deterministic (no dropout).
 */
public final class Recomputation {
  /** A segment's body: the ops from its inputs to its output, built on {@code layers}. */
  @FunctionalInterface
  public interface Body {
    Operand<TFloat32> apply(Layers layers, List<Operand<?>> inputs);
  }

  private record Segment(String name, List<Operand<?>> inputs, Output<TFloat32> output, Body body, Layers layers,
      Map<String, Operand<TFloat32>> parameters) {}

  private final String root;
  private final List<Segment> segments = new ArrayList<>();
  private final Map<String, Operand<TFloat32>> parameters = new HashMap<>();
  private Map<String, Operand<TFloat32>> building;

  /** @param root the prefix of the parameter names in the variable map {@link #gradients} gets (e.g. "unet") */
  public Recomputation(String root) {
    this.root = root;
  }

  /**
   * The store the network must be built on: it creates each parameter once in {@code inner},
   * hands the same tensor out when a segment is rebuilt, and notes which segment reads it.
   */
  public ParameterStore store(ParameterStore inner) {
    return (name, shape, initializer) -> {
      String key = root + "/" + name;
      if (building == null) {
        throw new IllegalStateException("parameter " + key + " is read outside every segment; with recomputation "
            + "every op of the network must be in one");
      }
      Operand<TFloat32> read = parameters.get(key);
      if (read == null) {
        read = inner.parameter(name, shape, initializer);
        parameters.put(key, read);
      }
      building.put(key, read);
      return read;
    };
  }

  /**
   * Builds one segment of the forward pass and remembers how to build it again.
   *
   * @param layers built on {@link #store}
   * @param inputs outputs of earlier segments or inputs of the network
   */
  public Operand<TFloat32> segment(Layers layers, String name, List<Operand<?>> inputs, Body body) {
    if (building != null) {
      throw new IllegalStateException("segment " + name + " starts inside another one");
    }
    building = new LinkedHashMap<>();
    try {
      Operand<TFloat32> output = body.apply(layers, inputs);
      segments.add(new Segment(name, List.copyOf(inputs), output.asOutput(), body, layers, building));
      return output;
    } finally {
      building = null;
    }
  }

  /**
   * The segments' outputs in build order: with the network's inputs and its parameters, all the
   * backward pass keeps of the forward pass.
   */
  public List<Output<TFloat32>> boundaries() {
    return segments.stream().map(Segment::output).toList();
  }

  /**
   * The gradients of {@code sum(ys * dys)} (dys null: ones) with respect to every variable of
   * {@code variables}, in its order, zeros for those the ys do not reach. The ys must depend on
   * the network only through its last segment's output (a network's output).
   *
   * @param tf where the recomputed segments and the sums go (e.g. a tower's device)
   * @param prefix unused by any op of the graph; the gradient ops are named {@code prefix/...}
   */
  public Output<?>[] gradients(Graph graph, Ops tf, String prefix, Output<?>[] ys, Output<?>[] dys,
      Map<String, Variable<TFloat32>> variables) {
    if (segments.isEmpty()) {
      throw new IllegalStateException("no segment was built on this recomputation");
    }
    // what each segment output receives from its consumers
    Map<Output<?>, List<Operand<TFloat32>>> received = new HashMap<>();
    Map<Output<?>, Integer> producedBy = new HashMap<>();
    for (int i = 0; i < segments.size(); i++) {
      producedBy.put(segments.get(i).output(), i);
    }
    // only the last output: asking for an earlier one would differentiate the original segments
    // on the way to it, which is what this class avoids
    Output<TFloat32> last = segments.get(segments.size() - 1).output();
    receive(received, last, graph.addGradients(prefix + "/head", ys, new Output<?>[] {last}, dys)[0]);
    Map<String, List<Operand<TFloat32>>> parameterGradients = new HashMap<>();
    for (int s = segments.size() - 1; s >= 0; s--) {
      Segment segment = segments.get(s);
      List<Operand<TFloat32>> parts = received.remove(segment.output());
      if (parts == null) {
        continue;
      }
      Operand<TFloat32> dy = parts.size() == 1 ? parts.get(0) : tf.math.addN(parts);
      // The copy reads each input through its own Identity, which waits for dy: so the copy runs
      // when the backward pass reaches it, and grappler cannot merge it with the original. The
      // entry points are enough: every other op of the copy reads them, or only parameters and
      // constants (those may run early; they are parameter-sized). The copy is
      // differentiated with respect to the identities: asked for a boundary itself, addGradients
      // would return the total derivative, through the original segments too, whenever one input
      // lies upstream of another (the time embedding of every block, a skip of the blocks after it).
      Ops gated = tf.withControlDependencies(List.of(dy));
      List<Operand<?>> proxies = new ArrayList<>();
      List<Output<?>> xs = new ArrayList<>();
      List<Output<?>> boundaries = new ArrayList<>();
      for (Operand<?> input : segment.inputs()) {
        Operand<?> proxy = gated.identity(input);
        proxies.add(proxy);
        Integer producer = producedBy.get(input.asOutput());
        if (producer != null && producer < s) {
          xs.add(proxy.asOutput());
          boundaries.add(input.asOutput());
        }
      }
      Operand<TFloat32> copy = replay(segment, proxies, segment.layers().on(tf));
      int inputCount = xs.size();
      List<String> names = List.copyOf(segment.parameters().keySet());
      names.forEach(n -> xs.add(segment.parameters().get(n).asOutput()));
      Output<?>[] grads = graph.addGradients(prefix + "/s" + s, new Output<?>[] {copy.asOutput()},
          xs.toArray(Output<?>[]::new), new Output<?>[] {dy.asOutput()});
      for (int i = 0; i < grads.length; i++) {
        if (i < inputCount) {
          receive(received, boundaries.get(i), grads[i]);
        } else if (reachable(grads[i])) {
          parameterGradients.computeIfAbsent(names.get(i - inputCount), n -> new ArrayList<>())
              .add(grads[i].expect(TFloat32.class));
        }
      }
    }
    Output<?>[] out = new Output<?>[variables.size()];
    int v = 0;
    for (Map.Entry<String, Variable<TFloat32>> entry : variables.entrySet()) {
      List<Operand<TFloat32>> parts = parameterGradients.get(entry.getKey());
      Shape shape = entry.getValue().shape();
      out[v++] = (parts == null ? tf.zeros(tf.constant(shape.asArray()), TFloat32.class)
          : parts.size() == 1 ? parts.get(0) : tf.math.addN(parts)).asOutput();
    }
    return out;
  }

  /** The segment's body built again on {@code inputs} and {@code layers}, which hand out the same parameters. */
  private Operand<TFloat32> replay(Segment segment, List<Operand<?>> inputs, Layers layers) {
    building = new LinkedHashMap<>();
    try {
      return segment.body().apply(layers, inputs);
    } finally {
      building = null;
    }
  }

  private static void receive(Map<Output<?>, List<Operand<TFloat32>>> received, Output<?> x, Output<?> gradient) {
    if (reachable(gradient)) {
      received.computeIfAbsent(x, k -> new ArrayList<>()).add(gradient.expect(TFloat32.class));
    }
  }

  /** addGradients hands out an output without an operation for an x the ys do not depend on. */
  private static boolean reachable(Output<?> gradient) {
    var handle = ((org.tensorflow.GraphOperation) gradient.op()).getUnsafeNativeHandle();
    return handle != null && !handle.isNull();
  }
}
