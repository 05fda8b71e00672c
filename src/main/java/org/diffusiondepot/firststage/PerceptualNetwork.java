package org.diffusiondepot.firststage;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.diffusiondepot.config.ConfigException;
import org.diffusiondepot.nn.VariableStore;
import org.tensorflow.Operand;
import org.tensorflow.Operation;
import org.tensorflow.OperationBuilder;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.TensorFlow;
import org.tensorflow.ndarray.buffer.ByteDataBuffer;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.OpDef;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TType;

/**
 * The user's feature network for the perceptual loss, copied into the training graph so that its
 * gradient reaches the decoder. Contract of the SavedModel (tag "serve"): a signature
 * ("serving_default", or the only one) with one float input, images [B, S, S, C] in [-1, 1], and
 * one or more float outputs, the feature maps. Everything that does not depend on the input
 * (weights, constants) is evaluated once and frozen into constants, so the copy has no variables
 * and nothing of it is trained or checkpointed.
 * <p>
 * The distance is LPIPS with unit layer weights (Zhang et al. 2018): per output, features
 * normalised to unit length over channels, squared differences summed over channels and
 * averaged over positions and batch; summed over outputs.
 * <p>
 * Supported: plain graphs, as TF1 / {@code tf.compat.v1} and TensorFlow Java export them. A TF2
 * Keras export runs its layers inside function calls, which graph-mode gradients here cannot
 * differentiate; it is rejected at load with a message saying so.
 */
public final class PerceptualNetwork implements AutoCloseable {
  private static final String FIELD = "first_stage.perceptual_model";
  private static final Set<String> FUNCTION_CALLS = Set.of("PartitionedCall", "StatefulPartitionedCall");

  private final Path source;
  private final double weight;
  private final Map<String, NodeDef> nodes;
  private final String inputNode;
  private final List<String> outputs;
  /** Values of the tensors the copied part reads from the frozen part, by "node:index". */
  private final Map<String, Tensor> frozen;
  private final Map<String, OpDef> opDefs = new HashMap<>();
  private int copies;

  private PerceptualNetwork(Path source, double weight, Map<String, NodeDef> nodes, String inputNode,
      List<String> outputs, Map<String, Tensor> frozen) {
    this.source = source;
    this.weight = weight;
    this.nodes = nodes;
    this.inputNode = inputNode;
    this.outputs = outputs;
    this.frozen = frozen;
    for (OpDef def : TensorFlow.registeredOpList().getOpList()) {
      opDefs.put(def.getName(), def);
    }
  }

  /**
   * Loads and freezes the feature network; every problem is a ConfigException that names the
   * field and says it can be left empty.
   */
  public static PerceptualNetwork load(Path savedModel, double weight) {
    if (!Files.isDirectory(savedModel) || !Files.exists(savedModel.resolve("saved_model.pb"))) {
      throw problem(savedModel, Files.exists(savedModel) ? "is not a SavedModel directory (no saved_model.pb)"
          : "does not exist");
    }
    SavedModelBundle bundle;
    try {
      bundle = SavedModelBundle.load(savedModel.toString(), "serve");
    } catch (RuntimeException e) {
      throw problem(savedModel, "cannot be loaded as a SavedModel with tag \"serve\": " + firstLine(e.getMessage()));
    }
    try (bundle) {
      Map<String, SignatureDef> signatures = bundle.metaGraphDef().getSignatureDefMap();
      SignatureDef signature = signatures.get("serving_default");
      if (signature == null && signatures.size() == 1) {
        signature = signatures.values().iterator().next();
      }
      if (signature == null) {
        throw problem(savedModel, "has signatures " + signatures.keySet()
            + "; expected \"serving_default\" or exactly one signature");
      }
      if (signature.getInputsCount() != 1 || signature.getOutputsCount() == 0) {
        throw problem(savedModel, "has a signature with " + signature.getInputsCount() + " inputs and "
            + signature.getOutputsCount() + " outputs; expected one image input and at least one feature output");
      }
      String input = signature.getInputsMap().values().iterator().next().getName();
      List<String> outputs = signature.getOutputsMap().entrySet().stream()
          .sorted(Map.Entry.comparingByKey()).map(e -> e.getValue().getName()).toList();
      GraphDef graphDef = bundle.metaGraphDef().getGraphDef();
      Map<String, NodeDef> nodes = new LinkedHashMap<>();
      for (NodeDef node : graphDef.getNodeList()) {
        nodes.put(node.getName(), node);
      }
      Set<String> functions = new HashSet<>();
      graphDef.getLibrary().getFunctionList().forEach(f -> functions.add(f.getSignature().getName()));
      String inputNode = nodeOf(input);
      Set<String> live = dependents(nodes, inputNode, outputs);
      for (String name : live) {
        String op = nodes.get(name).getOp();
        if (FUNCTION_CALLS.contains(op) || functions.contains(op)) {
          throw problem(savedModel, "runs its layers in function calls (" + op + ", as TF2 Keras exports do), "
              + "which cannot be differentiated here; export the feature network as a plain graph "
              + "(tf.compat.v1 or TensorFlow Java)");
        }
      }
      Map<String, Tensor> frozen = freeze(bundle.session(), nodes, live, inputNode, savedModel);
      return new PerceptualNetwork(savedModel, weight, nodes, inputNode, outputs, frozen);
    }
  }

  public double weight() {
    return weight;
  }

  public Path source() {
    return source;
  }

  /** The features of {@code images}: one tensor per signature output, sorted by output name. */
  public List<Operand<TFloat32>> features(Ops tf, Operand<TFloat32> images) {
    String prefix = "perceptual" + (copies++ == 0 ? "" : "_" + copies) + "/";
    Map<String, Output<?>> copied = new HashMap<>();
    Map<String, Operation> ops = new HashMap<>();
    Set<String> live = dependents(nodes, inputNode, outputs);
    List<Output<TFloat32>> result = new ArrayList<>();
    for (String output : outputs) {
      result.add(resolve(tf, prefix, output, images, live, copied, ops).expect(TFloat32.class));
    }
    return new ArrayList<>(result);
  }

  /** LPIPS-style distance between the features of two image batches (see the class comment). */
  public Operand<TFloat32> distance(Ops tf, Operand<TFloat32> x, Operand<TFloat32> y) {
    List<Operand<TFloat32>> features = features(tf, tf.concat(List.of(x, y), tf.constant(0)));
    Operand<TFloat32> total = null;
    for (Operand<TFloat32> f : features) {
      var halves = tf.split(tf.constant(0), f, 2L).output();
      int last = f.shape().numDimensions() - 1;
      Operand<TFloat32> difference = tf.math.sub(unit(tf, halves.get(0), last), unit(tf, halves.get(1), last));
      Operand<TFloat32> perPosition = tf.sum(tf.math.square(difference), tf.constant(last));
      Operand<TFloat32> d = FirstStageTrainingGraph.meanAll(tf, perPosition);
      total = total == null ? d : tf.math.add(total, d);
    }
    return tf.withName("perceptual_loss").identity(total);
  }

  @Override
  public void close() {
    frozen.values().forEach(Tensor::close);
    frozen.clear();
  }

  private static Operand<TFloat32> unit(Ops tf, Operand<TFloat32> f, int axis) {
    Operand<TFloat32> norm = tf.math.sqrt(tf.math.add(tf.sum(tf.math.square(f), tf.constant(axis),
        org.tensorflow.op.core.Sum.keepDims(true)), tf.constant(1e-10f)));
    return tf.math.div(f, norm);
  }

  /** The output "node:index" as a tensor of our graph, copying or freezing what it needs. */
  private Output<?> resolve(Ops tf, String prefix, String tensor, Operand<TFloat32> images, Set<String> live,
      Map<String, Output<?>> copied, Map<String, Operation> ops) {
    String key = canonical(tensor);
    Output<?> known = copied.get(key);
    if (known != null) {
      return known;
    }
    String node = nodeOf(key);
    int index = indexOf(key);
    Output<?> out;
    if (node.equals(inputNode)) {
      out = images.asOutput();
    } else if (!live.contains(node)) {
      Tensor value = frozen.get(key);
      Ops named = VariableStore.scopedOps(tf, prefix + "frozen/" + key.replace(':', '_'));
      out = named.scope().opBuilder("Const", "Const").setAttr("value", value).setAttr("dtype", value.dataType())
          .build().output(0);
    } else {
      Operation op = ops.get(node);
      if (op == null) {
        op = copy(tf, prefix, nodes.get(node), images, live, copied, ops);
        ops.put(node, op);
      }
      out = op.output(index);
    }
    copied.put(key, out);
    return out;
  }

  private Operation copy(Ops tf, String prefix, NodeDef node, Operand<TFloat32> images, Set<String> live,
      Map<String, Output<?>> copied, Map<String, Operation> ops) {
    OpDef def = opDefs.get(node.getOp());
    if (def == null) {
      throw problem(source, "uses op " + node.getOp() + ", unknown to this TensorFlow build");
    }
    List<String> dataInputs = node.getInputList().stream().filter(s -> !s.startsWith("^")).toList();
    List<Output<?>> inputs = new ArrayList<>();
    for (String input : dataInputs) {
      inputs.add(resolve(tf, prefix, input, images, live, copied, ops));
    }
    Ops named = VariableStore.scopedOps(tf, prefix + node.getName());
    OperationBuilder builder = named.scope().opBuilder(node.getOp(), node.getOp());
    int next = 0;
    for (OpDef.ArgDef arg : def.getInputArgList()) {
      int count = listLength(arg, node);
      if (count < 0) {
        builder.addInput(inputs.get(next++));
      } else {
        builder.addInputList(inputs.subList(next, next + count).toArray(new Output<?>[0]));
        next += count;
      }
    }
    for (Map.Entry<String, AttrValue> attr : node.getAttrMap().entrySet()) {
      if (!attr.getKey().startsWith("_")) {
        builder.setAttr(attr.getKey(), attr.getValue());
      }
    }
    return builder.build();
  }

  /** Number of tensors a list argument takes, or -1 for a single tensor. */
  private static int listLength(OpDef.ArgDef arg, NodeDef node) {
    if (!arg.getNumberAttr().isEmpty()) {
      return (int) node.getAttrOrThrow(arg.getNumberAttr()).getI();
    }
    if (!arg.getTypeListAttr().isEmpty()) {
      return node.getAttrOrThrow(arg.getTypeListAttr()).getList().getTypeCount();
    }
    return -1;
  }

  /** Nodes on a path from the input to an output (what must be copied rather than frozen). */
  private static Set<String> dependents(Map<String, NodeDef> nodes, String input, List<String> outputs) {
    Map<String, Boolean> memo = new HashMap<>();
    Set<String> live = new HashSet<>();
    for (String output : outputs) {
      collect(nodes, nodeOf(output), input, memo, live);
    }
    return live;
  }

  private static boolean collect(Map<String, NodeDef> nodes, String name, String input, Map<String, Boolean> memo,
      Set<String> live) {
    Boolean known = memo.get(name);
    if (known != null) {
      return known;
    }
    memo.put(name, false);  // cycles (loops) are not followed
    boolean depends = name.equals(input);
    NodeDef node = nodes.get(name);
    if (node != null) {
      for (String in : node.getInputList()) {
        if (!in.startsWith("^") && collect(nodes, nodeOf(in), input, memo, live)) {
          depends = true;
        }
      }
    }
    memo.put(name, depends);
    if (depends && !name.equals(input)) {
      live.add(name);
    }
    return depends;
  }

  /** Evaluates, in the SavedModel's own session, every tensor a copied node reads from a frozen one. */
  private static Map<String, Tensor> freeze(Session session, Map<String, NodeDef> nodes, Set<String> live,
      String inputNode, Path source) {
    List<String> needed = new ArrayList<>();
    for (String name : live) {
      for (String in : nodes.get(name).getInputList()) {
        String key = canonical(in);
        if (!in.startsWith("^") && !live.contains(nodeOf(key)) && !nodeOf(key).equals(inputNode)
            && !needed.contains(key)) {
          needed.add(key);
        }
      }
    }
    Map<String, Tensor> values = new LinkedHashMap<>();
    if (needed.isEmpty()) {
      return values;
    }
    Session.Runner runner = session.runner();
    needed.forEach(k -> runner.fetch(nodeOf(k), indexOf(k)));
    try (Result result = runner.run()) {
      for (int i = 0; i < needed.size(); i++) {
        Tensor t = result.get(i);
        if (t.dataType() == org.tensorflow.proto.DataType.DT_RESOURCE) {
          throw problem(source, "reads variable " + needed.get(i) + " through a resource handle inside the network; "
              + "export the feature network as a plain graph");
        }
        values.put(needed.get(i), copyOf(t));
      }
    } catch (ConfigException e) {
      values.values().forEach(Tensor::close);
      throw e;
    } catch (RuntimeException e) {
      values.values().forEach(Tensor::close);
      throw problem(source, "cannot evaluate its weights: " + firstLine(e.getMessage()));
    }
    return values;
  }

  /** A copy that outlives the Result it came from (closing a Result frees its tensors). */
  private static Tensor copyOf(Tensor t) {
    ByteDataBuffer bytes = t.asRawTensor().data();
    byte[] raw = new byte[(int) bytes.size()];
    bytes.read(raw);
    Class<? extends TType> type = ((TType) t).type();
    return Tensor.of(type, t.shape(), DataBuffers.of(raw, true, false));
  }

  private static String canonical(String tensor) {
    String s = tensor.startsWith("^") ? tensor.substring(1) : tensor;
    return s.contains(":") ? s : s + ":0";
  }

  private static String nodeOf(String tensor) {
    String s = tensor.startsWith("^") ? tensor.substring(1) : tensor;
    int colon = s.indexOf(':');
    return colon < 0 ? s : s.substring(0, colon);
  }

  private static int indexOf(String tensor) {
    int colon = tensor.indexOf(':');
    return colon < 0 ? 0 : Integer.parseInt(tensor.substring(colon + 1));
  }

  private static ConfigException problem(Path path, String what) {
    return new ConfigException(FIELD + ": " + path + " " + what + ". The field names a SavedModel of a feature "
        + "network for the perceptual loss (one image input in [-1, 1], feature-map outputs); leave it empty "
        + "(perceptual_model: \"\") to train without a perceptual loss.");
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
