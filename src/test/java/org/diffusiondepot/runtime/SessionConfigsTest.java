package org.diffusiondepot.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.NodeExecStats;
import org.tensorflow.proto.RewriterConfig;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.types.TFloat32;

/** Training sessions: virtual CPUs as asked, grappler's GPU-only passes off without GPUs, its memory optimiser when asked for by name. */
class SessionConfigsTest {
  @AfterEach
  void clear() {
    System.clearProperty(SessionConfigs.MEMORY_OPTIMIZATION);
  }

  @Test
  void withoutGpusTheCpuPointlessPassesAreOff() {
    ConfigProto config = SessionConfigs.training(2, false);
    assertEquals(2, config.getDeviceCountOrDefault("CPU", 0));
    RewriterConfig r = config.getGraphOptions().getRewriteOptions();
    assertEquals(RewriterConfig.Toggle.OFF, r.getLayoutOptimizer());
    assertEquals(RewriterConfig.MemOptType.NO_MEM_OPT, r.getMemoryOptimization());
    assertTrue(r.getDisableTfgOptimizer());
    assertEquals(RewriterConfig.Toggle.OFF, r.getImplementationSelector());
    assertEquals(RewriterConfig.Toggle.DEFAULT, r.getRemapping(), "the remapper fuses convolutions with their bias");
    assertFalse(r.getDisableMetaOptimizer());
  }

  @Test
  void withGpusGrapplerKeepsAllItsPasses() {
    assertEquals(RewriterConfig.getDefaultInstance(),
        SessionConfigs.training(1, true).getGraphOptions().getRewriteOptions());
  }

  /** What the remaining passes are kept for: a training session still runs convolution + bias fused. */
  @Test
  void aCpuTrainingSessionStillFusesConvolutionAndBias() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> x = tf.random.randomStandardNormal(tf.constant(new int[] {2, 8, 8, 4}), TFloat32.class);
      Operand<TFloat32> kernel = tf.random.randomStandardNormal(tf.constant(new int[] {3, 3, 4, 4}), TFloat32.class);
      Operand<TFloat32> y = tf.nn.biasAdd(tf.nn.conv2d(x, kernel, List.of(1L, 1L, 1L, 1L), "SAME"),
          tf.fill(tf.constant(new int[] {4}), tf.constant(0.5f)));
      Operand<TFloat32> out = tf.math.mul(y, tf.constant(2f)); // grappler leaves fetched nodes alone
      try (Session s = new Session(g, SessionConfigs.training(1, false));
          Result r = s.runner().fetch(out)
              .setOptions(RunOptions.newBuilder().setTraceLevel(RunOptions.TraceLevel.FULL_TRACE).build())
              .runAndFetchMetadata()) {
        List<String> labels = r.getMetadata().orElseThrow().getStepStats().getDevStatsList().stream()
            .flatMap(d -> d.getNodeStatsList().stream()).map(NodeExecStats::getTimelineLabel).toList();
        // oneDNN's kernels (TF_ENABLE_ONEDNN_OPTS=1, or TensorFlow's default on AVX512_VNNI CPUs) run
        // grappler's fused op under their own name
        String fused = ActiveKernels.get() == KernelChoices.Kernels.ONEDNN ? "_MklNativeFusedConv2D" : "_FusedConv2D";
        assertTrue(labels.stream().anyMatch(l -> l.contains("= " + fused + "(")), labels.toString());
      }
    }
  }

  @Test
  void theMemoryOptimiserIsSetByName() {
    System.setProperty(SessionConfigs.MEMORY_OPTIMIZATION, "HEURISTICS");
    assertEquals(RewriterConfig.MemOptType.HEURISTICS,
        SessionConfigs.training(1, false).getGraphOptions().getRewriteOptions().getMemoryOptimization());
  }

  @Test
  void anUnknownNameIsOneErrorListingTheKnownOnes() {
    System.setProperty(SessionConfigs.MEMORY_OPTIMIZATION, "LOTS");
    OptionException e = assertThrows(OptionException.class, () -> SessionConfigs.training(1, false));
    assertTrue(e.getMessage().contains("LOTS") && e.getMessage().contains("RECOMPUTATION_HEURISTICS"), e.getMessage());
  }

  @Test
  void samplingSessionsRunWithoutGrappler() {
    RewriterConfig r = SessionConfigs.sampling().getGraphOptions().getRewriteOptions();
    assertTrue(r.getDisableMetaOptimizer());
    assertFalse(SessionConfigs.training(1, false).getGraphOptions().getRewriteOptions().getDisableMetaOptimizer(),
        "training keeps grappler");
    assertEquals(SessionConfigs.cpu().getIntraOpParallelismThreads(), SessionConfigs.sampling().getIntraOpParallelismThreads());
  }

  @Test
  void withoutGrapplerKeepsTheRestOfALayoutsSettings() {
    System.setProperty(SessionConfigs.MEMORY_OPTIMIZATION, "HEURISTICS");
    ConfigProto config = SessionConfigs.withoutGrappler(SessionConfigs.training(3, false));
    assertEquals(3, config.getDeviceCountOrDefault("CPU", 0), "the benchmark's sampling session keeps the replicas");
    assertTrue(config.getGraphOptions().getRewriteOptions().getDisableMetaOptimizer());
    assertEquals(RewriterConfig.MemOptType.HEURISTICS, config.getGraphOptions().getRewriteOptions().getMemoryOptimization());
  }
}
