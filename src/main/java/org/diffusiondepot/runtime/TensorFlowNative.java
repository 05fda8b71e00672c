package org.diffusiondepot.runtime;

import static org.tensorflow.internal.c_api.global.tensorflow.TF_CloseSession;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteDeviceList;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteGraph;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteSession;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteSessionOptions;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteStatus;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeviceListCount;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeviceListMemoryBytes;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeviceListName;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeviceListType;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_GetCode;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_Message;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewGraph;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewSession;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewSessionOptions;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewStatus;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_OK;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_SessionListDevices;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_SetConfig;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;
import org.tensorflow.TensorFlow;
import org.tensorflow.internal.c_api.TF_DeviceList;
import org.tensorflow.internal.c_api.TF_Graph;
import org.tensorflow.internal.c_api.TF_Session;
import org.tensorflow.internal.c_api.TF_SessionOptions;
import org.tensorflow.internal.c_api.TF_Status;

/**
 * Which TensorFlow native library this process loaded and which devices it sees: what a user needs
 * to know when a GPU build runs on the CPU only (no CUDA, {@code CUDA_VISIBLE_DEVICES}) or the
 * native of another platform is on the class path.
 * <p>
 * TensorFlow Java 1.1.0 has no public device listing, so a session of an empty graph is opened
 * through the C API that {@link org.tensorflow.Session} wraps, and asked with
 * {@code TF_SessionListDevices}. The build is read from the folder JavaCPP loaded
 * {@code jnitensorflow} from: it is named after the native jar's classifier
 * ({@code linux-x86_64}, {@code linux-x86_64-gpu}, {@code macosx-arm64}, {@code windows-x86_64}).
 */
public final class TensorFlowNative {
  private TensorFlowNative() {}

  /** A device as TensorFlow names it ({@code CPU:0}, {@code GPU:0}), with its memory in bytes. */
  public record Device(String name, String type, long memoryBytes) {}

  /**
   * @param platform the classifier of the loaded native, e.g. {@code linux-x86_64-gpu}
   * @param devices every device a session can place ops on
   */
  public record Info(String platform, List<Device> devices) {
    /** JavaCPP's "-gpu" platform extension marks TensorFlow's CUDA build. */
    public boolean gpuBuild() {
      return platform.endsWith("-gpu");
    }

    public List<Device> gpus() {
      return devices.stream().filter(d -> d.type().equals("GPU")).toList();
    }

    /** One line, e.g. {@code native linux-x86_64 (CPU build), devices: CPU:0}. */
    public String describe() {
      String listed = devices.stream()
          .map(d -> d.type().equals("GPU") ? String.format("%s (%.1f GB)", d.name(), d.memoryBytes() / 1e9) : d.name())
          .collect(Collectors.joining(", "));
      String line = "native " + platform + (gpuBuild() ? " (GPU build, CUDA)" : " (CPU build)") + ", devices: " + listed;
      if (gpuBuild() && gpus().isEmpty()) {
        line += "; no GPU visible: check the CUDA 12 and cuDNN installation and CUDA_VISIBLE_DEVICES";
      }
      return line;
    }
  }

  /** Loads TensorFlow if it is not loaded yet and lists its devices. */
  public static Info inspect() {
    TensorFlow.version(); // loads the native library, so that JavaCPP knows where it came from
    return new Info(loadedPlatform(), devices());
  }

  private static String loadedPlatform() {
    String path = Loader.getLoadedLibraries().get("jnitensorflow");
    if (path == null) {
      // loaded from the system library path rather than a native jar: its build cannot be told
      return Loader.getPlatform() + " (from the system library path)";
    }
    return Path.of(path).getParent().getFileName().toString();
  }

  private static List<Device> devices() {
    TF_Status status = TF_NewStatus();
    TF_SessionOptions options = TF_NewSessionOptions();
    TF_Graph graph = TF_NewGraph();
    TF_Session session = null;
    try {
      // the first session fixes TensorFlow's process-wide thread pools: open this one like all others
      byte[] config = SessionConfigs.cpu().toByteArray();
      try (BytePointer bytes = new BytePointer(config)) {
        TF_SetConfig(options, bytes, config.length, status);
      }
      check(status);
      session = TF_NewSession(graph, options, status);
      check(status);
      TF_DeviceList list = TF_SessionListDevices(session, status);
      check(status);
      try {
        List<Device> devices = new ArrayList<>();
        for (int i = 0; i < TF_DeviceListCount(list); i++) {
          String name = TF_DeviceListName(list, i, status).getString();
          String type = TF_DeviceListType(list, i, status).getString();
          long memory = TF_DeviceListMemoryBytes(list, i, status);
          check(status);
          devices.add(new Device(name.substring(name.indexOf("device:") + "device:".length()), type, memory));
        }
        return List.copyOf(devices);
      } finally {
        TF_DeleteDeviceList(list);
      }
    } finally {
      if (session != null) {
        TF_CloseSession(session, status);
        TF_DeleteSession(session, status);
      }
      TF_DeleteGraph(graph);
      TF_DeleteSessionOptions(options);
      TF_DeleteStatus(status);
    }
  }

  private static void check(TF_Status status) {
    if (TF_GetCode(status) != TF_OK) {
      throw new IllegalStateException("TensorFlow cannot list its devices: " + TF_Message(status).getString());
    }
  }
}
