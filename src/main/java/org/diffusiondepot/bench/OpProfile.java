package org.diffusiondepot.bench;

import java.io.PrintStream;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.diffusiondepot.runtime.OptionException;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.proto.AllocatorMemoryUsed;
import org.tensorflow.proto.DeviceStepStats;
import org.tensorflow.proto.NodeExecStats;
import org.tensorflow.proto.RunMetadata;

/** Time per op type from a traced run (RunOptions FULL_TRACE), to see where a step goes. */
final class OpProfile {
  /**
   * A trace's timeline label: "node_name = OpType(inputs)", after the memory the op allocated when
   * there is any ("[cpu 2.0MB 2.0MB] node_name = OpType(inputs)").
   */
  private static final Pattern LABEL = Pattern.compile("(?:^|\\] )\\S+ = (\\w+)\\(");

  static final String LABELS = "DEPOT_PROFILE_LABELS";

  private OpProfile() {}

  /**
   * The type of the kernel that ran: grappler's fused ops keep the name of the last node they
   * replace (a convolution fused with its bias runs as _FusedConv2D named after the BiasAdd), so the
   * graph's op of that name has the wrong type; the trace's label has the right one.
   */
  static String executedType(Graph graph, NodeExecStats node) {
    Matcher label = LABEL.matcher(node.getTimelineLabel());
    if (label.find()) {
      return label.group(1);
    }
    GraphOperation op = graph.operation(node.getNodeName());
    return op != null ? op.type() : node.getNodeName().replaceAll(":.*", "");
  }

  /** Throws the {@link OptionException} of a DEPOT_PROFILE_LABELS that is set to anything but milliseconds. */
  static void checkEnvironment() {
    String labels = System.getenv(LABELS);
    if (labels != null) {
      labelThresholdMicros(labels);
    }
  }

  /** DEPOT_PROFILE_LABELS's milliseconds in microseconds; anything but a number of 0 or more is a user error. */
  static long labelThresholdMicros(String value) {
    try {
      double ms = Double.parseDouble(value.strip());
      if (ms >= 0 && Double.isFinite(ms)) {
        return Math.round(ms * 1000);
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new OptionException("DEPOT_PROFILE_LABELS=" + value + ": expected milliseconds (0 or more), e.g. "
        + "DEPOT_PROFILE_LABELS=5 lists the ops that ran for 5 ms or longer");
  }

  static void print(Graph graph, RunMetadata metadata, PrintStream out, int top) {
    Map<String, long[]> byType = new HashMap<>();
    long total = 0;
    // DEPOT_PROFILE_LABELS=MS also lists every op that took longer than MS milliseconds (0: all)
    String labels = System.getenv(LABELS);
    long labelMicros = labels == null ? Long.MAX_VALUE : labelThresholdMicros(labels);
    for (DeviceStepStats device : metadata.getStepStats().getDevStatsList()) {
      for (NodeExecStats node : device.getNodeStatsList()) {
        long micros = node.getAllEndRelMicros();
        String name = node.getNodeName();
        String type = executedType(graph, node);
        if (micros >= labelMicros) {
          out.printf("    %8.1f ms %s | %s%n", micros / 1e3, name, node.getTimelineLabel());
        }
        long[] acc = byType.computeIfAbsent(type, k -> new long[2]);
        acc[0] += micros;
        acc[1]++;
        total += micros;
      }
    }
    if (System.getenv("DEPOT_PROFILE_TIMELINE") != null) {
      Map<String, long[]> span = new HashMap<>();
      long t0 = Long.MAX_VALUE;
      for (DeviceStepStats device : metadata.getStepStats().getDevStatsList()) {
        for (NodeExecStats node : device.getNodeStatsList()) {
          t0 = Math.min(t0, node.getAllStartMicros());
        }
      }
      for (DeviceStepStats device : metadata.getStepStats().getDevStatsList()) {
        for (NodeExecStats node : device.getNodeStatsList()) {
          String type = executedType(graph, node);
          long[] a = span.computeIfAbsent(type, k -> new long[] {Long.MAX_VALUE, 0});
          a[0] = Math.min(a[0], node.getAllStartMicros() - t0);
          a[1] = Math.max(a[1], node.getAllStartMicros() - t0 + node.getAllEndRelMicros());
        }
      }
      span.entrySet().stream().sorted((a, b) -> Long.compare(a.getValue()[0], b.getValue()[0]))
          .forEach(e -> out.printf("    span %-30s %8.1f .. %8.1f ms%n", e.getKey(), e.getValue()[0] / 1e3, e.getValue()[1] / 1e3));
    }
    // Where an allocator reports its bytes in use, the largest value seen after an op: the step's
    // peak as TensorFlow counts it, without the allocator's own reserve that host RSS includes.
    Map<String, Long> allocatorPeak = new HashMap<>();
    for (DeviceStepStats device : metadata.getStepStats().getDevStatsList()) {
      for (NodeExecStats node : device.getNodeStatsList()) {
        for (AllocatorMemoryUsed memory : node.getMemoryList()) {
          allocatorPeak.merge(memory.getAllocatorName(), Math.max(memory.getAllocatorBytesInUse(),
              memory.getPeakBytes()), Math::max);
        }
      }
    }
    allocatorPeak.forEach((name, bytes) -> out.printf("allocator %s: peak %.2f GB in use%n", name, bytes / 1e9));
    out.printf("op time by type (sum of per-op wall times; ops may overlap), total %.1f ms:%n", total / 1e3);
    final long sum = total;
    byType.entrySet().stream()
        .sorted((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0]))
        .limit(top)
        .forEach(e -> out.printf("  %-36s %8.1f ms %5.1f%%  (%d ops)%n", e.getKey(), e.getValue()[0] / 1e3,
            100.0 * e.getValue()[0] / sum, e.getValue()[1]));
  }
}
