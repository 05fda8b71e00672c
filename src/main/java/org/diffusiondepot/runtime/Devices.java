package org.diffusiondepot.runtime;

import static org.tensorflow.internal.c_api.global.tensorflow.TF_CloseSession;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteDeviceList;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteGraph;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteSession;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteSessionOptions;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeviceListCount;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeviceListName;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeviceListType;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewGraph;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewSession;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewSessionOptions;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewStatus;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_SessionListDevices;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.TensorFlow;
import org.tensorflow.internal.c_api.TF_DeviceList;
import org.tensorflow.internal.c_api.TF_Graph;
import org.tensorflow.internal.c_api.TF_Session;
import org.tensorflow.internal.c_api.TF_SessionOptions;
import org.tensorflow.internal.c_api.TF_Status;

/**
 * The devices TensorFlow's native library sees in this process ("CPU:0", "GPU:0", ...), listed once
 * by opening an empty session through the C API: TensorFlow Java's Session does not expose them.
 * A CPU-only native, or a GPU native on a machine without a usable GPU, lists no GPU.
 */
public final class Devices {
  private static List<String> devices;

  private Devices() {}

  /** Device types and indices, e.g. [CPU:0, GPU:0, GPU:1]. */
  public static synchronized List<String> list() {
    if (devices == null) {
      TensorFlow.version();  // loads the native library
      List<String> found = new ArrayList<>();
      TF_Status status = TF_NewStatus();
      TF_Graph graph = TF_NewGraph();
      TF_SessionOptions options = TF_NewSessionOptions();
      TF_Session session = TF_NewSession(graph, options, status);
      try {
        status.throwExceptionIfNotOK();
        TF_DeviceList list = TF_SessionListDevices(session, status);
        status.throwExceptionIfNotOK();
        try {
          for (int i = 0; i < TF_DeviceListCount(list); i++) {
            String name = TF_DeviceListName(list, i, status).getString();
            String type = TF_DeviceListType(list, i, status).getString();
            found.add(type + ":" + name.substring(name.lastIndexOf(':') + 1));
          }
        } finally {
          TF_DeleteDeviceList(list);
        }
      } finally {
        TF_CloseSession(session, status);
        TF_DeleteSession(session, status);
        TF_DeleteSessionOptions(options);
        TF_DeleteGraph(graph);
        status.close();
      }
      devices = List.copyOf(found);
    }
    return devices;
  }

  /**
   * The device names of {@code count} data-parallel replicas: the first GPUs when TensorFlow sees
   * that many, otherwise virtual CPU devices (one CPU split in {@code count}: the same code path,
   * no speed-up). One replica needs no name: TensorFlow places it.
   */
  public static List<String> replicas(int count) {
    if (count <= 1) {
      return List.of();
    }
    String type = gpus() >= count ? "GPU" : "CPU";
    List<String> names = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      names.add("/device:" + type + ":" + i);
    }
    return names;
  }

  /** How many GPUs TensorFlow can use here. */
  public static int gpus() {
    return (int) list().stream().filter(d -> d.startsWith("GPU:")).count();
  }
}
