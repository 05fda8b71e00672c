package org.diffusiondepot.optim;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.tensorflow.DeviceSpec;

/**
 * TensorFlow device names as users write them ("/device:GPU:1", "/gpu:1", "GPU:1",
 * "/job:worker/replica:0/task:1/device:CPU:0") turned into a {@link DeviceSpec}, which TensorFlow
 * Java builds only piece by piece.
 */
public final class DeviceNames {
  private static final Pattern NAME = Pattern.compile(
      "(?:/job:(\\w+))?(?:/replica:(\\d+))?(?:/task:(\\d+))?(?:/?(?:device:)?(cpu|gpu|CPU|GPU):(\\d+))?");

  private DeviceNames() {}

  /** @throws IllegalArgumentException for a name that is not a device name */
  public static DeviceSpec parse(String name) {
    Matcher m = NAME.matcher(name.trim());
    if (name.isBlank() || !m.matches()) {
      throw new IllegalArgumentException("'" + name + "' is not a device name such as /device:GPU:0, /cpu:1 or "
          + "/job:worker/task:1/device:CPU:0");
    }
    DeviceSpec.Builder b = DeviceSpec.newBuilder();
    if (m.group(1) != null) {
      b.job(m.group(1));
    }
    if (m.group(2) != null) {
      b.replica(Integer.parseInt(m.group(2)));
    }
    if (m.group(3) != null) {
      b.task(Integer.parseInt(m.group(3)));
    }
    if (m.group(4) != null) {
      b.deviceType(DeviceSpec.DeviceType.valueOf(m.group(4).toUpperCase()));
      b.deviceIndex(Integer.parseInt(m.group(5)));
    }
    return b.build();
  }
}
