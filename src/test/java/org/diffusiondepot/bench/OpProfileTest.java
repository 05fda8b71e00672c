package org.diffusiondepot.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.diffusiondepot.runtime.ActiveKernels;
import org.diffusiondepot.runtime.KernelChoices;
import org.diffusiondepot.runtime.SessionConfigs;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.NodeExecStats;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.types.TFloat32;

/** The profile names the kernels that ran, also where grappler fused several ops into one. */
class OpProfileTest {
  @Test
  void aConvolutionFusedWithItsBiasIsCountedAsTheFusedKernel() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> x = tf.random.randomStandardNormal(tf.constant(new int[] {2, 16, 16, 8}), TFloat32.class);
      Operand<TFloat32> kernel = tf.random.randomStandardNormal(tf.constant(new int[] {3, 3, 8, 8}), TFloat32.class);
      Operand<TFloat32> bias = tf.fill(tf.constant(new int[] {8}), tf.constant(0.5f));
      Operand<TFloat32> y = tf.nn.biasAdd(tf.nn.conv2d(x, kernel, List.of(1L, 1L, 1L, 1L), "SAME"), bias);
      // fetched through another op: grappler leaves fetched nodes as they are
      Operand<TFloat32> out = tf.math.mul(y, tf.constant(2f));
      ByteArrayOutputStream text = new ByteArrayOutputStream();
      try (Session s = new Session(g, SessionConfigs.cpu());
          Result r = s.runner().fetch(out)
              .setOptions(RunOptions.newBuilder().setTraceLevel(RunOptions.TraceLevel.FULL_TRACE).build())
              .runAndFetchMetadata()) {
        OpProfile.print(g, r.getMetadata().orElseThrow(), new PrintStream(text, true, StandardCharsets.UTF_8), 25);
      }
      String profile = text.toString(StandardCharsets.UTF_8);
      // oneDNN's kernels run grappler's fused op under their own name
      String fused = ActiveKernels.get() == KernelChoices.Kernels.ONEDNN ? "_MklNativeFusedConv2D" : "_FusedConv2D";
      assertTrue(profile.lines().anyMatch(line -> line.strip().startsWith(fused + " ")), profile);
      assertFalse(profile.lines().anyMatch(line -> line.strip().startsWith("BiasAdd ")), profile);
    }
  }

  /** Labels of ops that allocated memory start with it; the type is read after it. */
  @Test
  void theTypeIsReadAfterTheMemoryAnOpAllocated() {
    try (Graph g = new Graph()) {
      NodeExecStats node = NodeExecStats.newBuilder().setNodeName("BiasAdd_3")
          .setTimelineLabel("[cpu 2.0MB 2.0MB] BiasAdd_3 = _FusedConv2D(Mul_13, Identity_9, Identity_10)").build();
      assertEquals("_FusedConv2D", OpProfile.executedType(g, node));
      NodeExecStats plain = NodeExecStats.newBuilder().setNodeName("Transpose_1")
          .setTimelineLabel("Transpose_1 = Transpose(Pad, Const_4)").build();
      assertEquals("Transpose", OpProfile.executedType(g, plain));
    }
  }

  /** DEPOT_PROFILE_LABELS: milliseconds, or an error that names the variable and what it takes. */
  @Test
  void theLabelThresholdIsMilliseconds() {
    assertEquals(5000, OpProfile.labelThresholdMicros("5"));
    assertEquals(0, OpProfile.labelThresholdMicros(" 0 "));
    assertEquals(2500, OpProfile.labelThresholdMicros("2.5"));
    for (String bad : List.of("yes", "-1", "NaN", "")) {
      var e = org.junit.jupiter.api.Assertions.assertThrows(org.diffusiondepot.runtime.OptionException.class,
          () -> OpProfile.labelThresholdMicros(bad));
      assertTrue(e.getMessage().startsWith("DEPOT_PROFILE_LABELS=" + bad + ": expected milliseconds"), e.getMessage());
    }
  }
}
