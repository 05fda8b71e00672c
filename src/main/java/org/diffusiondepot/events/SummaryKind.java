package org.diffusiondepot.events;

import org.tensorflow.proto.Summary;

/** What a summary value holds, as TensorBoard's dashboards group them. */
public enum SummaryKind {
  SCALAR, IMAGE, HISTOGRAM, TEXT, AUDIO,
  /** A tensor for a plugin not listed here. */
  TENSOR;

  /**
   * The kind of {@code value}, or null when it cannot tell: tf.summary v2 writers attach the
   * plugin metadata to a tag's first value only, so later bare tensors take the tag's first kind.
   */
  static SummaryKind of(Summary.Value value) {
    return switch (value.getValueCase()) {
      case SIMPLE_VALUE -> SCALAR;
      case IMAGE -> IMAGE;
      case HISTO -> HISTOGRAM;
      case AUDIO -> AUDIO;
      case TENSOR -> value.hasMetadata() ? ofPlugin(value.getMetadata().getPluginData().getPluginName()) : null;
      default -> null;
    };
  }

  private static SummaryKind ofPlugin(String pluginName) {
    return switch (pluginName) {
      case "scalars" -> SCALAR;
      case "images" -> IMAGE;
      case "histograms" -> HISTOGRAM;
      case "text" -> TEXT;
      case "audio" -> AUDIO;
      default -> TENSOR;
    };
  }
}
