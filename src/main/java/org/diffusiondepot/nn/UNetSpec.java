package org.diffusiondepot.nn;

import java.util.List;
import org.diffusiondepot.proto.BlockType;

/**
 * Everything that fixes a UNet's shape. Input channels are open so that tasks can widen them
 * (inpainting concatenates the masked image and mask, super-resolution the low-res image).
 *
 * @param numClasses real classes for class conditioning (a null class is added), 0 for none
 */
public record UNetSpec(
    int imageSize,
    int inChannels,
    int outChannels,
    int baseChannels,
    List<Integer> channelMults,
    int blocksPerLevel,
    List<Integer> attentionResolutions,
    boolean middleAttention,
    BlockType block,
    float dropout,
    int groups,
    int numClasses) {

  public UNetSpec {
    channelMults = List.copyOf(channelMults);
    attentionResolutions = List.copyOf(attentionResolutions);
    if (imageSize % (1 << (channelMults.size() - 1)) != 0) {
      throw new IllegalArgumentException("image size " + imageSize + " is not divisible by 2^"
          + (channelMults.size() - 1) + " for " + channelMults.size() + " levels");
    }
  }

  public int embeddingDim() {
    return 4 * baseChannels;
  }

  public UNetSpec withInChannels(int channels) {
    return new UNetSpec(imageSize, channels, outChannels, baseChannels, channelMults, blocksPerLevel,
        attentionResolutions, middleAttention, block, dropout, groups, numClasses);
  }

  public UNetSpec withDropout(float rate) {
    return new UNetSpec(imageSize, inChannels, outChannels, baseChannels, channelMults, blocksPerLevel,
        attentionResolutions, middleAttention, block, rate, groups, numClasses);
  }
}
