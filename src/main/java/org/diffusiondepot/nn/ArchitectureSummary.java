package org.diffusiondepot.nn;

import java.util.LinkedHashMap;
import java.util.Map;
import org.tensorflow.ndarray.Shape;

/** A human-readable description of a UNet spec and its parameter count, grouped by stage. */
public final class ArchitectureSummary {
  private ArchitectureSummary() {}

  public static String describe(UNetSpec spec, Map<String, Shape> parameters) {
    StringBuilder sb = new StringBuilder();
    String block = switch (spec.block()) {
      case RESNET_3X3 -> "ResNet 3x3";
      case CONVNEXT_7X7 -> "ConvNeXt 7x7 (depthwise)";
      default -> spec.block().toString();
    };
    sb.append(String.format("UNet: input %dx%dx%d -> output %dx%dx%d, base %d, time embedding %d%n",
        spec.imageSize(), spec.imageSize(), spec.inChannels(), spec.imageSize(), spec.imageSize(),
        spec.outChannels(), spec.baseChannels(), spec.embeddingDim()));
    sb.append(String.format("blocks: %s, %d down / %d up per level, GroupNorm groups %d, dropout %.2f%n",
        block, spec.blocksPerLevel(), spec.blocksPerLevel() + 1, spec.groups(), spec.dropout()));
    if (spec.numClasses() > 0) {
      sb.append(String.format("class embedding: %d classes + null class%n", spec.numClasses()));
    }
    Map<String, Long> byStage = new LinkedHashMap<>();
    for (Map.Entry<String, Shape> e : parameters.entrySet()) {
      String stage = e.getKey().contains("/") ? e.getKey().substring(0, e.getKey().indexOf('/')) : e.getKey();
      byStage.merge(stage, e.getValue().size(), Long::sum);
    }
    int res = spec.imageSize();
    for (int level = 0; level < spec.channelMults().size(); level++) {
      int ch = spec.baseChannels() * spec.channelMults().get(level);
      boolean attn = spec.attentionResolutions().contains(res);
      sb.append(String.format("level %d: %4dpx %5d channels%s   down %,12d  up %,12d params%n", level, res, ch,
          attn ? " + attention" : "            ", byStage.getOrDefault("down" + level, 0L),
          byStage.getOrDefault("up" + level, 0L)));
      res /= 2;
    }
    sb.append(String.format("middle: block%s block                %,12d params%n",
        spec.middleAttention() ? ", attention," : ",", byStage.getOrDefault("mid", 0L)));
    long total = parameters.values().stream().mapToLong(Shape::size).sum();
    sb.append(String.format("parameters: %d%n", total));
    return sb.toString();
  }
}
