package org.diffusiondepot.cluster.probe;

import java.util.Map;
import org.diffusiondepot.cluster.ClusterSpec;
import org.tensorflow.Graph;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;

/**
 * Pins each tower's gradient ops to that tower's worker. {@code Graph.addGradients} creates its
 * ops with no device (the C API's gradient builder ignores the caller's device scope), and the
 * placer then puts unplaced ops on the session's own task: measured, every gradient MatMul of
 * both towers ran on the chief. Ops cannot be re-placed in a live graph, so this copies it through
 * a GraphDef with the devices filled in; callers then address ops by name.
 */
final class TowerPlacement {
  private TowerPlacement() {}

  /** @param prefixToTask gradient name prefix (as given to addGradients) to worker task index */
  static Graph pinned(Graph g, Map<String, Integer> prefixToTask) {
    GraphDef.Builder def = g.toGraphDef().toBuilder();
    for (NodeDef.Builder node : def.getNodeBuilderList()) {
      for (Map.Entry<String, Integer> e : prefixToTask.entrySet()) {
        if (node.getName().startsWith(e.getKey() + "/") && node.getDevice().isEmpty()) {
          node.setDevice(ClusterSpec.workerCpu(e.getValue()));
        }
      }
    }
    Graph copy = new Graph();
    copy.importGraphDef(def.build());
    return copy;
  }
}
