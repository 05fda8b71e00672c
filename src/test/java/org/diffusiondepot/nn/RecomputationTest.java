package org.diffusiondepot.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.diffusiondepot.proto.BlockType;
import org.diffusiondepot.runtime.Tensors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Recomputed blocks (train.recompute): the gradients of every parameter equal those of the whole
 * graph differentiated at once, and the backward pass reads nothing of the forward pass but the
 * block boundaries, the network's inputs and its parameters: no tensor inside a block is kept.
 */
class RecomputationTest {
  private static final int SIZE = 16;
  private static final int BATCH = 2;
  private static final int CLASSES = 3;

  @ParameterizedTest
  @EnumSource(value = BlockType.class, names = {"RESNET_3X3", "CONVNEXT_7X7"})
  void sameGradientsWhileKeepingOnlyTheBlockBoundaries(BlockType block) {
    Run whole = run(block, false);
    Run recomputed = run(block, true);
    assertEquals(whole.gradients.size(), recomputed.gradients.size());
    List<String> off = new ArrayList<>();
    for (int i = 0; i < whole.gradients.size(); i++) {
      double d = BackwardPasses.relativeDifference(whole.gradients.get(i), recomputed.gradients.get(i));
      // 1e-5: the sums of the backward pass run in another order
      if (d > 1e-5) {
        off.add(whole.names.get(i) + " " + d);
      }
    }
    assertTrue(off.isEmpty(), "gradients off by more than 1e-5 relative: " + off);
    assertTrue(recomputed.strayReads.isEmpty(),
        "the backward pass reads tensors inside blocks: " + recomputed.strayReads);
    // embedding, conv_in, 2 x 2 down blocks, 1 downsample, mid, 2 x 3 up blocks, 1 upsample, out
    assertEquals(16, recomputed.boundaries);
    System.out.println(block + ": the backward pass keeps " + recomputed.keptBytes + " bytes of forward tensors against "
        + whole.keptBytes);
    assertTrue(recomputed.keptBytes * 5 < whole.keptBytes,
        "kept " + recomputed.keptBytes + " bytes of forward tensors against " + whole.keptBytes);
  }

  private record Run(List<String> names, List<float[]> gradients, long keptBytes, List<String> strayReads,
      int boundaries) {}

  private static Run run(BlockType block, boolean recompute) {
    UNetSpec spec = new UNetSpec(SIZE, 3, 3, 8, List.of(1, 2), 2, List.of(8), true, block, 0f, 4, CLASSES);
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      VariableStore store = new VariableStore(tf, "unet", 7);
      Placeholder<TFloat32> x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(BATCH, SIZE, SIZE, 3)));
      Placeholder<TInt32> t = tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(BATCH)));
      Placeholder<TInt32> label = tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(BATCH)));
      Recomputation recomputation = recompute ? new Recomputation("unet") : null;
      Operand<TFloat32> y = new UNet(spec, Arithmetic.FP32, false).apply(tf, store, x, t, label, recomputation);
      Set<GraphOperation> network = operations(g);
      Operand<TFloat32> loss = tf.math.mean(tf.math.square(tf.math.sub(y, tf.constant(0.3f))),
          tf.constant(new int[] {0, 1, 2, 3}));
      Set<GraphOperation> forward = operations(g);
      List<Variable<TFloat32>> vars = new ArrayList<>(store.variables().values());
      Output<?>[] ys = {loss.asOutput()};
      Output<?>[] grads = recompute
          ? recomputation.gradients(g, tf, "gradients", ys, null, store.variables())
          : g.addGradients("gradients", ys, vars.stream().map(Variable::asOutput).toArray(Output[]::new), null);
      Set<Output<?>> allowed = new HashSet<>(List.of(x.asOutput(), t.asOutput(), label.asOutput()));
      if (recompute) {
        allowed.addAll(recomputation.boundaries());
      }
      List<String> stray = new ArrayList<>();
      long kept = keptBytes(network, forward, grads, allowed, stray);
      float[] input = BackwardPasses.gaussian(BATCH * SIZE * SIZE * 3, 1);
      try (Session s = new Session(g)) {
        s.initialize();
        try (TFloat32 xt = Tensors.of(input, BATCH, SIZE, SIZE, 3); TInt32 tt = Tensors.of(new int[] {3, 700}, BATCH);
            TInt32 lt = Tensors.of(new int[] {1, CLASSES}, BATCH)) {
          Session.Runner runner = s.runner().feed(x, xt).feed(t, tt).feed(label, lt);
          for (Output<?> gr : grads) {
            runner.fetch(gr);
          }
          try (Result res = runner.run()) {
            List<float[]> values = new ArrayList<>();
            for (int i = 0; i < grads.length; i++) {
              values.add(Tensors.floats((TFloat32) res.get(i)));
            }
            return new Run(List.copyOf(store.variables().keySet()), values, kept, stray,
                recompute ? recomputation.boundaries().size() : 0);
          }
        }
      }
    }
  }

  private static Set<GraphOperation> operations(Graph g) {
    Set<GraphOperation> ops = new HashSet<>();
    g.operations().forEachRemaining(ops::add);
    return ops;
  }

  /**
   * Bytes of forward tensors that the ops the gradients depend on read (not counting shape ops,
   * which read no data, parameters and constants); the names of those of the network (not of the
   * loss) outside {@code allowed}.
   */
  private static long keptBytes(Set<GraphOperation> network, Set<GraphOperation> forward, Output<?>[] grads,
      Set<Output<?>> allowed, List<String> stray) {
    Set<GraphOperation> needed = BackwardPasses.neededOps(grads, op -> !forward.contains(op));
    long kept = 0;
    for (GraphOperation op : forward) {
      if (op.type().startsWith("Variable") || op.type().equals("Const") || isParameterRead(op)) {
        continue;
      }
      for (int o = 0; o < op.numOutputs(); o++) {
        boolean read = op.consumers(o).stream().anyMatch(c -> BackwardPasses.keeps(needed, c));
        if (read) {
          kept += Math.max(0, op.output(o).shape().size()) * 4;
          if (network.contains(op) && !allowed.contains(op.output(o))) {
            stray.add(op.name() + " (" + op.type() + ")");
          }
        }
      }
    }
    return kept;
  }

  private static boolean isParameterRead(GraphOperation op) {
    return op.type().equals("Identity") && op.inputs().get(0).op().type().startsWith("Variable");
  }
}
