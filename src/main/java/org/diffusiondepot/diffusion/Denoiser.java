package org.diffusiondepot.diffusion;

import java.util.ArrayList;
import java.util.List;
import org.diffusiondepot.nn.ParameterStore;
import org.diffusiondepot.nn.UNet;
import org.diffusiondepot.nn.UNetSpec;
import org.diffusiondepot.proto.ExperimentConfig;
import org.diffusiondepot.proto.ModelConfig;
import org.diffusiondepot.proto.Task;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The epsilon-prediction network of one task: a UNet whose input is x_t widened by the task's
 * conditioning (inpainting: masked image and mask; super-resolution: the low-res image), with a
 * class embedding for class-conditional models.
 */
public final class Denoiser {
  public static final String ROOT = "unet";

  private final Task task;
  private final int modelSize;
  private final int modelChannels;
  private final int imageChannels;
  private final UNet unet;

  private Denoiser(Task task, int modelSize, int modelChannels, int imageChannels, UNetSpec spec) {
    this.task = task;
    this.modelSize = modelSize;
    this.modelChannels = modelChannels;
    this.imageChannels = imageChannels;
    this.unet = new UNet(spec);
  }

  public static Denoiser fromConfig(ExperimentConfig c) {
    int imageChannels = c.getData().getChannels();
    int size = c.getData().getResolution();
    int channels = imageChannels;
    if (c.getTask() == Task.SUPER_RESOLUTION) {
      channels = c.getLatentShape(0);
      size = c.getLatentShape(1);
    }
    int in = switch (c.getTask()) {
      case UNCONDITIONAL, CLASS_CONDITIONAL -> channels;
      case INPAINTING -> 2 * channels + 1;
      case SUPER_RESOLUTION -> channels + imageChannels;
      default -> throw new IllegalArgumentException("task " + c.getTask() + " has no denoiser");
    };
    int classes = c.getTask() == Task.CLASS_CONDITIONAL ? c.getClasses().getNumClasses() : 0;
    ModelConfig m = c.getModel();
    UNetSpec spec = new UNetSpec(size, in, channels, m.getBaseChannels(), m.getChannelMultsList(),
        m.getBlocksPerLevel(), m.getAttentionResolutionsList(), m.getMiddleAttention(), m.getBlock(),
        m.getDropout(), m.getGroupNormGroups(), classes);
    return new Denoiser(c.getTask(), size, channels, imageChannels, spec);
  }

  public Task task() {
    return task;
  }

  public UNetSpec spec() {
    return unet.spec();
  }

  /** Side of x_t. */
  public int modelSize() {
    return modelSize;
  }

  /** Channels of x_t. */
  public int modelChannels() {
    return modelChannels;
  }

  /** Dropout is for training only; inference graphs use a copy without it. */
  public Denoiser withoutDropout() {
    return new Denoiser(task, modelSize, modelChannels, imageChannels, unet.spec().withDropout(0f));
  }

  /** Placeholders (batch dimension open) for the conditioning this task needs, named as in exports. */
  public ConditionInputs placeholders(Ops tf) {
    return switch (task) {
      case CLASS_CONDITIONAL -> new ConditionInputs(
          tf.withName(ConditionInputs.LABEL).placeholder(TInt32.class, Placeholder.shape(Shape.of(-1))),
          null, null, null);
      case INPAINTING -> new ConditionInputs(null,
          tf.withName(ConditionInputs.MASKED_IMAGE).placeholder(TFloat32.class,
              Placeholder.shape(Shape.of(-1, modelSize, modelSize, modelChannels))),
          tf.withName(ConditionInputs.MASK).placeholder(TFloat32.class,
              Placeholder.shape(Shape.of(-1, modelSize, modelSize, 1))),
          null);
      case SUPER_RESOLUTION -> new ConditionInputs(null, null, null,
          tf.withName(ConditionInputs.LOW_RES).placeholder(TFloat32.class,
              Placeholder.shape(Shape.of(-1, modelSize, modelSize, imageChannels))));
      default -> ConditionInputs.none();
    };
  }

  /** Builds eps_theta(x_t, t, conditioning). */
  public Operand<TFloat32> predictNoise(Ops tf, ParameterStore params, Operand<TFloat32> xt, Operand<TInt32> t,
      ConditionInputs cond) {
    List<Operand<TFloat32>> parts = new ArrayList<>();
    parts.add(xt);
    switch (task) {
      case INPAINTING -> {
        parts.add(require(cond.maskedImage(), ConditionInputs.MASKED_IMAGE));
        parts.add(require(cond.mask(), ConditionInputs.MASK));
      }
      case SUPER_RESOLUTION -> parts.add(require(cond.lowRes(), ConditionInputs.LOW_RES));
      default -> { }
    }
    Operand<TFloat32> input = parts.size() == 1 ? xt : tf.concat(parts, tf.constant(3));
    Operand<TInt32> label = task == Task.CLASS_CONDITIONAL ? require(cond.label(), ConditionInputs.LABEL) : null;
    return unet.apply(tf, params, input, t, label);
  }

  private static <T> T require(T input, String name) {
    if (input == null) {
      throw new IllegalArgumentException("the denoiser needs the conditioning input '" + name + "'");
    }
    return input;
  }
}
