package org.diffusiondepot.runtime;

import com.google.protobuf.ByteString;
import org.diffusiondepot.runtime.KernelChoices.Kernels;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.RunMetadata;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.proto.TensorProto;
import org.tensorflow.proto.TensorShapeProto;
import org.tensorflow.types.TFloat32;

/**
 * Which of TensorFlow's CPU kernels this process runs, Eigen's or oneDNN's, as TensorFlow decided
 * when it started (TF_ENABLE_ONEDNN_OPTS, else its own rule by CPU). Asked of TensorFlow rather
 * than worked out from the variable and the CPU flags: one convolution is run with its partition
 * graph returned, and oneDNN's graph pass renames the ops it takes over to {@code _Mkl*}. The
 * network builder needs it because the fastest backward pass of a convolution differs between the
 * two ({@code nn.ConvolutionBackward}).
 */
public final class ActiveKernels {
  /** Set to 1 by the launchers when TF_ENABLE_ONEDNN_OPTS came from {@link KernelChoices}' record. */
  public static final String RECORDED_VARIABLE = "DEPOT_KERNELS_RECORDED";
  private static Kernels active;

  private ActiveKernels() {}

  /** The kernels of this process, probed once (a few milliseconds, in a session of the usual settings). */
  public static synchronized Kernels get() {
    if (active == null) {
      active = probe();
    }
    return active;
  }

  /**
   * e.g. "oneDNN's (TF_ENABLE_ONEDNN_OPTS=1, as recorded for this CPU in kernels.tsv)" or "Eigen's
   * (TF_ENABLE_ONEDNN_OPTS unset: TensorFlow's choice for this CPU)". The launchers set
   * DEPOT_KERNELS_RECORDED when the value came from the record (tools/lib/kernels.sh).
   */
  public static String describe() {
    String set = System.getenv(KernelChoices.TENSORFLOW_VARIABLE);
    String source = set == null ? " unset: TensorFlow's choice for this CPU"
        : "=" + set + (recorded() ? ", as recorded for this CPU in kernels.tsv" : "");
    return (get() == Kernels.ONEDNN ? "oneDNN's" : "Eigen's") + " (" + KernelChoices.TENSORFLOW_VARIABLE + source + ")";
  }

  /** Whether the launcher took TF_ENABLE_ONEDNN_OPTS from the record of measured choices. */
  public static boolean recorded() {
    return "1".equals(System.getenv(RECORDED_VARIABLE));
  }

  /**
   * The graph is imported from a GraphDef: this class ships in the sampler jar, which keeps to
   * TensorFlow's core package (no op wrappers).
   */
  private static Kernels probe() {
    AttrValue floats = AttrValue.newBuilder().setType(DataType.DT_FLOAT).build();
    TensorProto ones = TensorProto.newBuilder().setDtype(DataType.DT_FLOAT).setTensorShape(TensorShapeProto
        .newBuilder().addDim(dim(3)).addDim(dim(3)).addDim(dim(1)).addDim(dim(1))).addFloatVal(1f).build();
    GraphDef convolution = GraphDef.newBuilder()
        .addNode(NodeDef.newBuilder().setName("x").setOp("Placeholder").putAttr("dtype", floats))
        .addNode(NodeDef.newBuilder().setName("kernel").setOp("Const").putAttr("dtype", floats)
            .putAttr("value", AttrValue.newBuilder().setTensor(ones).build()))
        .addNode(NodeDef.newBuilder().setName("y").setOp("Conv2D").addInput("x").addInput("kernel")
            .putAttr("T", floats)
            .putAttr("strides", AttrValue.newBuilder().setList(AttrValue.ListValue.newBuilder()
                .addI(1).addI(1).addI(1).addI(1)).build())
            .putAttr("padding", AttrValue.newBuilder().setS(ByteString.copyFromUtf8("SAME")).build()))
        .build();
    try (Graph graph = new Graph(); Session session = new Session(graph, SessionConfigs.sampling());
        TFloat32 input = TFloat32.tensorOf(Shape.of(1, 4, 4, 1))) {
      graph.importGraphDef(convolution);
      RunOptions partitions = RunOptions.newBuilder().setOutputPartitionGraphs(true).build();
      try (Result result = session.runner().feed("x", input).fetch("y").setOptions(partitions).runAndFetchMetadata()) {
        return ranOneDnn(result.getMetadata().orElseThrow()) ? Kernels.ONEDNN : Kernels.EIGEN;
      }
    }
  }

  private static TensorShapeProto.Dim dim(long size) {
    return TensorShapeProto.Dim.newBuilder().setSize(size).build();
  }

  static boolean ranOneDnn(RunMetadata metadata) {
    for (GraphDef partition : metadata.getPartitionGraphsList()) {
      for (NodeDef node : partition.getNodeList()) {
        if (node.getOp().startsWith("_Mkl")) {
          return true;
        }
      }
    }
    return false;
  }
}
