package org.diffusiondepot.optim;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * Data parallelism and gradient accumulation inside one graph. The batch is split into
 * {@code devices x accumulation} equal slices, one tower each: towers on different devices run in
 * parallel (replicas), towers on one device run one after the other (micro-batches), each waiting
 * for the previous one's gradients so that only one micro-batch's activations are alive at a
 * time. Every tower's gradients are summed as they come (a running sum per device, then one AddN
 * over devices) and divided by the number of towers: with equal slices that is the gradient of
 * the mean loss over the whole batch, so one optimizer update on it equals the update of one
 * device on the whole batch, up to the order of float sums.
 * <p>
 * With one tower nothing is split or summed: the graph is the plain single-device one.
 * <p>
 * Under dynamic loss scaling each tower's loss is multiplied by the scale before its gradients are
 * taken and the sum is divided by it, so the gradients returned are always unscaled.
 * <p>
 * Gradient ops of tower i are named {@code tower_i/...}, so a placement pass can give them the
 * device of their forward ops ({@code Graph.addGradients} itself places them nowhere).
 */
public final class Towers {
  /** What one tower computes from its slice of the batch. */
  @FunctionalInterface
  public interface Body {
    /**
     * @param tf ops placed on the tower's device (and, for a micro-batch, after the previous one)
     * @param index the tower's position in the batch (slice {@code index} of the split)
     * @param slices this tower's slice of every batch input, in the order given
     * @return the tower's loss: the mean over its slice
     */
    Tower build(Ops tf, int index, List<Operand<?>> slices);
  }

  /**
   * A tower's loss (the mean over its slice), whatever per-example outputs it wants to expose, and
   * what to differentiate for each variable group: by default the loss, for the first group only.
   */
  public record Tower(Operand<TFloat32> loss, List<Operand<?>> outputs, List<Objective> objectives,
      Backprop backprop) {
    public Tower(Operand<TFloat32> loss, List<Operand<?>> outputs, List<Objective> objectives) {
      this(loss, outputs, objectives, null);
    }

    public Tower(Operand<TFloat32> loss, List<Operand<?>> outputs) {
      this(loss, outputs, List.of(new Objective(List.of(loss), null)));
    }

    /** The same tower differentiated by {@code backprop} instead of {@code Graph.addGradients}. */
    public Tower differentiatedBy(Backprop backprop) {
      return new Tower(loss, outputs, objectives, backprop);
    }
  }

  /**
   * How a tower's gradients are built when not by {@code Graph.addGradients} over its whole
   * forward pass, e.g. by recomputed segments ({@code nn.Recomputation#gradients}).
   */
  @FunctionalInterface
  public interface Backprop {
    /**
     * @param dys null for ones
     * @return the gradient of {@code sum(ys * dys)} for each variable of the group, in its order
     */
    Output<?>[] gradients(Graph graph, Ops tf, String prefix, Output<?>[] ys, Output<?>[] dys,
        Map<String, Variable<TFloat32>> variables);
  }

  /**
   * The gradient of {@code ys} (weighted by {@code dys}, or by ones when null) with respect to one
   * variable group, as {@code Graph.addGradients} takes it; the first stage differentiates its
   * autoencoder through the image gradient this way. A tower whose objectives are dead tensors (a
   * switched-off branch) gives dead gradients, which only switched-off updates consume.
   * <p>
   * {@code scaled} says that the tower has already multiplied the objective by the loss scale (its
   * {@code dys} are gradients of the scaled loss, e.g. the first stage's image gradient), so that
   * only the division of the sum remains; otherwise the ys (or the dys) are multiplied here.
   */
  public record Objective(List<Operand<TFloat32>> ys, List<Operand<TFloat32>> dys, boolean scaled) {
    public Objective(List<Operand<TFloat32>> ys, List<Operand<TFloat32>> dys) {
      this(ys, dys, false);
    }
  }

  /** The towers built and, per variable group, the gradients of the mean objective, unscaled. */
  public record Result(List<Tower> towers, List<List<Operand<TFloat32>>> groupGradients) {
    /** The gradients of the first (or only) variable group. */
    public List<Operand<TFloat32>> gradients() {
      return groupGradients.get(0);
    }

    /** Output {@code k} of every tower, joined along the batch in tower order. */
    public Operand<?> joined(Ops tf, int k) {
      if (towers.size() == 1) {
        return towers.get(0).outputs().get(k);
      }
      List<Operand<?>> parts = new ArrayList<>();
      towers.forEach(t -> parts.add(t.outputs().get(k)));
      return concat(tf, parts);
    }

    /** The mean of the towers' losses: the batch loss. */
    public Operand<TFloat32> loss(Ops tf) {
      if (towers.size() == 1) {
        return towers.get(0).loss();
      }
      List<Operand<TFloat32>> losses = towers.stream().map(Tower::loss).toList();
      return tf.math.div(tf.math.addN(losses), tf.constant((float) losses.size()));
    }
  }

  /**
   * @param devices where the replicas run (e.g. "/device:CPU:0", "/device:GPU:1"); empty: one
   *     replica wherever TensorFlow places it
   * @param accumulation micro-batches per replica
   */
  public record Layout(List<String> devices, int accumulation) {
    public Layout {
      devices = List.copyOf(devices);
      if (accumulation < 1) {
        throw new IllegalArgumentException("accumulation must be at least 1, got " + accumulation);
      }
    }

    public static Layout single() {
      return new Layout(List.of(), 1);
    }

    public int replicas() {
      return Math.max(1, devices.size());
    }

    public int towers() {
      return replicas() * accumulation;
    }
  }

  private Towers() {}

  /** The name scope of the gradient ops of tower {@code index}'s objective {@code group} among {@code count} towers. */
  public static String gradientScope(int count, int index, int group) {
    return (count == 1 ? "gradients" : "tower_" + index) + (group == 0 ? "" : "_" + group);
  }

  /**
   * @param inputs batch tensors split along their first dimension (which the number of towers must divide)
   * @param lossScale the dynamic loss scale, or null for none
   */
  public static Result build(Graph graph, Ops tf, Layout layout, List<Operand<?>> inputs,
      Map<String, Variable<TFloat32>> variables, Operand<TFloat32> lossScale, Body body) {
    return build(graph, tf, layout, inputs, List.of(variables), lossScale, body);
  }

  /**
   * As above with several variable groups (e.g. a generator and a discriminator), tower objective
   * g differentiated with respect to group g.
   */
  public static Result build(Graph graph, Ops tf, Layout layout, List<Operand<?>> inputs,
      List<Map<String, Variable<TFloat32>>> groups, Operand<TFloat32> lossScale, Body body) {
    return buildFromSlices(graph, tf, layout, split(tf, inputs, layout.towers()), groups, lossScale, body);
  }

  /**
   * As above with each tower's slice of the batch given ({@code slices.get(i)}: tower i's inputs),
   * e.g. when the workers of a cluster each supply their own rows instead of one tensor being split.
   */
  public static Result buildFromSlices(Graph graph, Ops tf, Layout layout, List<List<Operand<?>>> slices,
      List<Map<String, Variable<TFloat32>>> groups, Operand<TFloat32> lossScale, Body body) {
    int count = layout.towers();
    if (slices.size() != count) {
      throw new IllegalArgumentException(count + " towers need " + count + " slices of the batch, got " + slices.size());
    }
    // the first tower creates the variables (the network asks for its parameters as it is built)
    List<Output<?>[]> targets = new ArrayList<>();
    List<Tower> towers = new ArrayList<>();
    // perDevice.get(d).get(g): device d's running sum of group g's gradients
    List<List<List<Operand<TFloat32>>>> perDevice = new ArrayList<>();
    for (int d = 0; d < layout.replicas(); d++) {
      Ops onDevice = layout.devices().isEmpty() ? tf : tf.withDevice(DeviceNames.parse(layout.devices().get(d)));
      List<List<Operand<TFloat32>>> sums = null;
      for (int k = 0; k < layout.accumulation(); k++) {
        int index = d * layout.accumulation() + k;
        List<Operand<?>> mine = slices.get(index);
        if (sums != null) {
          // the next micro-batch starts once the previous one's gradients are in the sum
          Ops after = onDevice.withControlDependencyOps(sums.get(0).stream().map(Operand::op).toList());
          List<Operand<?>> waiting = new ArrayList<>();
          for (Operand<?> x : mine) {
            waiting.add(after.identity(x));
          }
          mine = waiting;
        }
        Tower tower = body.build(onDevice, index, mine);
        towers.add(tower);
        if (targets.isEmpty()) {
          for (Map<String, Variable<TFloat32>> group : groups) {
            targets.add(group.values().stream().map(Variable::asOutput).toArray(Output<?>[]::new));
          }
        }
        List<List<Operand<TFloat32>>> gradients = new ArrayList<>();
        for (int g = 0; g < tower.objectives().size(); g++) {
          String prefix = gradientScope(count, index, g);
          Objective objective = tower.objectives().get(g);
          Operand<TFloat32> scale = objective.scaled() ? null : lossScale;
          Output<?>[] ys = outputs(scaled(onDevice, objective.ys(), objective.dys() == null ? scale : null));
          Output<?>[] dys = objective.dys() == null ? null : outputs(scaled(onDevice, objective.dys(), scale));
          Output<?>[] raw = tower.backprop() == null ? graph.addGradients(prefix, ys, targets.get(g), dys)
              : tower.backprop().gradients(graph, onDevice, prefix, ys, dys, groups.get(g));
          gradients.add(Gradients.of(onDevice, reachable(onDevice, targets.get(g), raw)));
        }
        if (sums == null) {
          sums = gradients;
        } else {
          for (int g = 0; g < sums.size(); g++) {
            sums.set(g, add(onDevice, sums.get(g), gradients.get(g)));
          }
        }
      }
      perDevice.add(sums);
    }
    List<List<Operand<TFloat32>>> totals = new ArrayList<>();
    for (int g = 0; g < groups.size(); g++) {
      List<Operand<TFloat32>> total = perDevice.get(0).get(g);
      if (perDevice.size() > 1) {
        total = new ArrayList<>();
        for (int v = 0; v < targets.get(g).length; v++) {
          List<Operand<TFloat32>> parts = new ArrayList<>();
          for (List<List<Operand<TFloat32>>> device : perDevice) {
            parts.add(device.get(g).get(v));
          }
          total.add(tf.math.addN(parts));
        }
      }
      if (count > 1 || lossScale != null) {
        Operand<TFloat32> factor = tf.constant(1f / count);
        Operand<TFloat32> unscale = lossScale == null ? factor : tf.math.div(factor, lossScale);
        total = total.stream().map(x -> (Operand<TFloat32>) tf.math.mul(x, unscale)).toList();
      }
      totals.add(total);
    }
    return new Result(towers, totals);
  }

  /**
   * The gradients with zeros for the variables the objective does not reach (addGradients hands
   * those out as outputs without an operation), e.g. the codebook for a term that only passes the
   * straight-through estimator.
   */
  private static Output<?>[] reachable(Ops tf, Output<?>[] variables, Output<?>[] raw) {
    Output<?>[] out = raw.clone();
    for (int i = 0; i < out.length; i++) {
      var handle = ((org.tensorflow.GraphOperation) out[i].op()).getUnsafeNativeHandle();
      if (handle == null || handle.isNull()) {
        out[i] = tf.zeros(tf.constant(variables[i].shape().asArray()), TFloat32.class).asOutput();
      }
    }
    return out;
  }

  /** The tensors times the loss scale (unchanged when there is none). */
  private static List<Operand<TFloat32>> scaled(Ops tf, List<Operand<TFloat32>> xs, Operand<TFloat32> scale) {
    return scale == null ? xs : xs.stream().map(x -> (Operand<TFloat32>) tf.math.mul(x, scale)).toList();
  }

  private static Output<?>[] outputs(List<Operand<TFloat32>> xs) {
    return xs.stream().map(Operand::asOutput).toArray(Output[]::new);
  }

  private static List<Operand<TFloat32>> add(Ops tf, List<Operand<TFloat32>> a, List<Operand<TFloat32>> b) {
    List<Operand<TFloat32>> out = new ArrayList<>(a.size());
    for (int i = 0; i < a.size(); i++) {
      out.add(tf.math.add(a.get(i), b.get(i)));
    }
    return out;
  }

  /** slices.get(i).get(j): tower i's part of input j. */
  public static List<List<Operand<?>>> split(Ops tf, List<Operand<?>> inputs, int count) {
    List<List<Operand<?>>> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(new ArrayList<>());
    }
    for (Operand<?> input : inputs) {
      if (count == 1) {
        out.get(0).add(input);
        continue;
      }
      List<? extends Operand<?>> parts = splitOne(tf, input, count);
      for (int i = 0; i < count; i++) {
        out.get(i).add(parts.get(i));
      }
    }
    return out;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static List<? extends Operand<?>> splitOne(Ops tf, Operand input, int count) {
    return tf.split(tf.constant(0), input, (long) count).output();
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Operand<?> concat(Ops tf, List<Operand<?>> parts) {
    return tf.concat((List) parts, tf.constant(0));
  }
}
