package org.diffusiondepot.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.RewriterConfig;

/** Training sessions: virtual CPUs as asked, and grappler's memory optimiser only when asked for by name. */
class SessionConfigsTest {
  @AfterEach
  void clear() {
    System.clearProperty(SessionConfigs.MEMORY_OPTIMIZATION);
  }

  @Test
  void virtualCpusAndNoRewriterByDefault() {
    ConfigProto config = SessionConfigs.training(2);
    assertEquals(2, config.getDeviceCountOrDefault("CPU", 0));
    assertFalse(config.hasGraphOptions(), "no rewriter unless asked for: " + config);
  }

  @Test
  void theMemoryOptimiserIsSetByName() {
    System.setProperty(SessionConfigs.MEMORY_OPTIMIZATION, "HEURISTICS");
    assertEquals(RewriterConfig.MemOptType.HEURISTICS,
        SessionConfigs.training(1).getGraphOptions().getRewriteOptions().getMemoryOptimization());
  }

  @Test
  void anUnknownNameIsOneErrorListingTheKnownOnes() {
    System.setProperty(SessionConfigs.MEMORY_OPTIMIZATION, "LOTS");
    OptionException e = assertThrows(OptionException.class, () -> SessionConfigs.training(1));
    assertTrue(e.getMessage().contains("LOTS") && e.getMessage().contains("RECOMPUTATION_HEURISTICS"), e.getMessage());
  }

  @Test
  void samplingSessionsRunWithoutGrappler() {
    RewriterConfig r = SessionConfigs.sampling().getGraphOptions().getRewriteOptions();
    assertTrue(r.getDisableMetaOptimizer());
    assertFalse(SessionConfigs.training(1).getGraphOptions().getRewriteOptions().getDisableMetaOptimizer(),
        "training keeps grappler");
    assertEquals(SessionConfigs.cpu().getIntraOpParallelismThreads(), SessionConfigs.sampling().getIntraOpParallelismThreads());
  }

  @Test
  void withoutGrapplerKeepsTheRestOfALayoutsSettings() {
    System.setProperty(SessionConfigs.MEMORY_OPTIMIZATION, "HEURISTICS");
    ConfigProto config = SessionConfigs.withoutGrappler(SessionConfigs.training(3));
    assertEquals(3, config.getDeviceCountOrDefault("CPU", 0), "the benchmark's sampling session keeps the replicas");
    assertTrue(config.getGraphOptions().getRewriteOptions().getDisableMetaOptimizer());
    assertEquals(RewriterConfig.MemOptType.HEURISTICS, config.getGraphOptions().getRewriteOptions().getMemoryOptimization());
  }
}
