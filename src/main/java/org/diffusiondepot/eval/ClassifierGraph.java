package org.diffusiondepot.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.diffusiondepot.nn.Initializer;
import org.diffusiondepot.nn.Layers;
import org.diffusiondepot.nn.VariableStore;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Operation;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * The {@link ShapeClassifier}'s graph: per stage a 3x3 convolution and a stride-2 3x3 convolution,
 * each followed by GroupNorm and SiLU, then a global average pool and a dense layer to the class
 * logits. The training variant adds softmax cross-entropy and Adam from raw ops (TensorFlow's
 * ApplyAdam with a fed learning rate), every update gated on all gradients so backprop never
 * reads an updated weight.
 */
final class ClassifierGraph {
  static final String ROOT = "classifier";
  private static final int GROUPS = 8;
  private static final float BETA1 = 0.9f;
  private static final float BETA2 = 0.999f;
  private static final float EPSILON = 1e-8f;

  final Graph graph;
  /** Images [B, R, R, C] in [-1, 1]. */
  final Placeholder<TFloat32> images;
  final Operand<TInt32> predictions;
  /** Training only (null otherwise): labels [B], the learning rate and one Adam step on the mean loss. */
  final Placeholder<TInt32> labels;
  final Operand<TFloat32> learningRate;
  final Op trainStep;

  private ClassifierGraph(ClassifierSpec spec, boolean training, long seed) {
    graph = new Graph();
    try {
      Ops tf = Ops.create(graph);
      VariableStore weights = training ? new VariableStore(tf, ROOT, seed) : VariableStore.forRestore(tf, ROOT);
      images = tf.withName("images").placeholder(TFloat32.class,
          Placeholder.shape(Shape.of(-1, spec.resolution(), spec.resolution(), spec.channels())));
      Operand<TFloat32> logits = logits(new Layers(tf, weights), images, spec);
      predictions = tf.withName("predictions").math.argMax(logits, tf.constant(1), TInt32.class);
      if (!training) {
        labels = null;
        learningRate = null;
        trainStep = null;
        return;
      }
      labels = tf.withName("labels").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
      learningRate = tf.withName("learning_rate").placeholderWithDefault(tf.constant(0f), Shape.scalar());
      // Cross-entropy from LogSoftmax: SparseSoftmaxCrossEntropyWithLogits has no C++ gradient.
      Operand<TFloat32> target = tf.oneHot(labels, tf.constant(spec.classes()), tf.constant(1f), tf.constant(0f));
      Operand<TFloat32> logLikelihood = tf.sum(tf.math.mul(target, tf.nn.logSoftmax(logits)), tf.constant(1));
      Operand<TFloat32> loss = tf.withName("loss").math.neg(tf.math.mean(logLikelihood, tf.constant(0)));
      trainStep = adam(tf, weights.variables(), loss, learningRate);
    } catch (RuntimeException | Error e) {
      graph.close();
      throw e;
    }
  }

  static ClassifierGraph forTraining(ClassifierSpec spec, long seed) {
    return new ClassifierGraph(spec, true, seed);
  }

  /** Same variable names, initialised only by a checkpoint restore. */
  static ClassifierGraph forRestore(ClassifierSpec spec) {
    return new ClassifierGraph(spec, false, 0);
  }

  private static Operand<TFloat32> logits(Layers layers, Operand<TFloat32> images, ClassifierSpec spec) {
    Ops tf = layers.tf();
    Operand<TFloat32> x = images;
    int in = spec.channels();
    for (int s = 0; s < spec.widths().length; s++) {
      int width = spec.widths()[s];
      String stage = "stage" + s;
      x = layers.silu(layers.groupNorm(stage + "/norm", layers.conv(stage + "/conv", x, in, width, 3, 1), width,
          GROUPS));
      x = layers.silu(layers.groupNorm(stage + "/down_norm", layers.conv(stage + "/down", x, width, width, 3, 2),
          width, GROUPS));
      in = width;
    }
    Operand<TFloat32> pooled = tf.math.mean(x, tf.constant(new int[] {1, 2}));
    return layers.dense("head", pooled, in, spec.classes());
  }

  /**
   * Adam (Kingma and Ba) with bias correction from an int64 step counter; the counter advances after
   * every update has run.
   */
  private Op adam(Ops tf, Map<String, Variable<TFloat32>> variables, Operand<TFloat32> loss,
      Operand<TFloat32> lr) {
    List<Variable<TFloat32>> vars = new ArrayList<>(variables.values());
    Output<?>[] gradients = graph.addGradients(loss.asOutput(),
        vars.stream().map(Variable::asOutput).toArray(Output[]::new));
    Variable<TInt64> step = tf.withName("adam_step").variable(tf.withInitScope().constant(0L));
    Operand<TFloat32> n = tf.dtypes.cast(tf.math.add(tf.identity(step), tf.constant(1L)), TFloat32.class);
    Operand<TFloat32> beta1Power = tf.math.pow(tf.constant(BETA1), n);
    Operand<TFloat32> beta2Power = tf.math.pow(tf.constant(BETA2), n);
    List<Operation> gradientOps = new ArrayList<>();
    for (Output<?> g : gradients) {
      gradientOps.add(g.op());
    }
    Ops gated = tf.withControlDependencyOps(gradientOps);
    List<Op> updates = new ArrayList<>();
    int i = 0;
    for (Map.Entry<String, Variable<TFloat32>> e : variables.entrySet()) {
      Variable<TFloat32> w = e.getValue();
      Variable<TFloat32> m = slot(tf, "adam/m/" + e.getKey(), w);
      Variable<TFloat32> v = slot(tf, "adam/v/" + e.getKey(), w);
      updates.add(gated.train.applyAdam(w, m, v, beta1Power, beta2Power, lr, gated.constant(BETA1),
          gated.constant(BETA2), gated.constant(EPSILON), gradients[i++].expect(TFloat32.class)));
    }
    return tf.withControlDependencies(updates).withName("train_step").assignAdd(step, tf.constant(1L));
  }

  private static Variable<TFloat32> slot(Ops tf, String name, Variable<TFloat32> like) {
    return VariableStore.scopedOps(tf, name).variable(Initializer.zeros().create(tf.withInitScope(), like.shape(), 0));
  }
}
