package org.diffusiondepot.cluster;

import static org.tensorflow.internal.c_api.global.tensorflow.TF_SetRequestedDevice;

import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.internal.c_api.TF_Graph;

/**
 * Puts each tower's backprop on the tower's own device. {@code Graph.addGradients} creates its ops
 * with no device (the C API's gradient builder ignores the caller's device scope), and the placer
 * puts unplaced ops on the session's own task: measured with the probe, every gradient MatMul of
 * both towers ran on the chief, so the other worker did the forward pass only.
 *
 * <p>The ops are given their device in the live graph with the C API's {@code
 * TF_SetRequestedDevice} (what Python's {@code Operation._set_device} calls), so the graph is not
 * copied and every {@code Operand} the model holds stays valid. It must run before any session
 * has run the graph: a session sends the graph to its master at the first run and would not see
 * later changes.
 *
 * <p>Gradient ops are recognised by the names {@code optim.Towers} gives them: {@code tower_i/...}
 * for tower i, {@code tower_i_g/...} for its variable group g.
 */
public final class TowerPlacement {
  private static final Pattern GRADIENT_SCOPE = Pattern.compile("tower_(\\d+)(?:_\\d+)?/.*");

  private TowerPlacement() {}

  /**
   * @param towerDevices the device of tower i at index i, e.g. {@code
   *     /job:worker/task:1/device:CPU:0}
   * @return how many ops each device received, by device name
   * @throws IllegalStateException if the graph has gradients of a tower the list does not name
   */
  public static Map<String, Integer> place(Graph graph, List<String> towerDevices) {
    TF_Graph handle = RemoteSession.graphHandle(graph);
    Map<String, Integer> placed = new TreeMap<>();
    for (Iterator<GraphOperation> it = graph.operations(); it.hasNext(); ) {
      GraphOperation op = it.next();
      Matcher m = GRADIENT_SCOPE.matcher(op.name());
      if (!m.matches() || !op.device().isEmpty()) {
        continue;
      }
      int tower = Integer.parseInt(m.group(1));
      if (tower >= towerDevices.size()) {
        throw new IllegalStateException("the graph has gradient op " + op.name() + " of tower " + tower + " but "
            + "the layout has " + towerDevices.size() + " towers");
      }
      String device = towerDevices.get(tower);
      TF_SetRequestedDevice(handle, op.getUnsafeNativeHandle(), device);
      placed.merge(device, 1, Integer::sum);
    }
    return placed;
  }

  /** How many ops of the graph ask for a device of {@code task} of job worker (placed by this class or not). */
  public static int opsOnTask(Graph graph, int task) {
    String job = "/job:" + ClusterSpec.WORKER + "/";
    Pattern onTask = Pattern.compile(Pattern.quote(job) + "(?:replica:\\d+/)?task:" + task + "(?:/.*)?");
    int count = 0;
    for (Iterator<GraphOperation> it = graph.operations(); it.hasNext(); ) {
      if (onTask.matcher(it.next().device()).matches()) {
        count++;
      }
    }
    return count;
  }
}
