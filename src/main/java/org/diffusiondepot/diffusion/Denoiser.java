package org.diffusiondepot.diffusion;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.diffusiondepot.nn.Arithmetic;
import org.diffusiondepot.nn.ParameterStore;
import org.diffusiondepot.nn.Recomputation;
import org.diffusiondepot.nn.UNet;
import org.diffusiondepot.nn.UNetSpec;
import org.diffusiondepot.proto.ExperimentConfig;
import org.diffusiondepot.proto.ModelConfig;
import org.diffusiondepot.task.DiffusionTask;
import org.diffusiondepot.task.SignatureInput;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The epsilon-prediction network of one task: a UNet whose input is x_t widened by the task's float
 * conditioning inputs (inpainting: masked image and mask; super-resolution: the low-res image), in
 * the order the task lists them, with a class embedding when the task has classes.
 */
public final class Denoiser {
  public static final String ROOT = "unet";

  private final DiffusionTask task;
  private final UNet unet;

  /** @param training lean activations (when asked for) and the layers' own backward passes */
  private Denoiser(DiffusionTask task, UNetSpec spec, Arithmetic arithmetic, boolean training,
      boolean leanActivations) {
    this.task = task;
    this.unet = new UNet(spec, arithmetic, training && leanActivations, training);
  }

  public static Denoiser fromConfig(ExperimentConfig c) {
    return of(c, DiffusionTask.of(c, List.of(), null));
  }

  /**
   * The training denoiser of {@code task}: the config's network in the arithmetic of {@code
   * train.precision}, with activations that keep one tensor each for the backward pass when {@code
   * train.lean_activations} is set (README, "Memory").
   */
  public static Denoiser of(ExperimentConfig c, DiffusionTask task) {
    int in = task.modelChannels() + task.inputs().stream().mapToInt(SignatureInput::channels).sum();
    ModelConfig m = c.getModel();
    UNetSpec spec = new UNetSpec(task.modelSize(), in, task.modelChannels(), m.getBaseChannels(),
        m.getChannelMultsList(), m.getBlocksPerLevel(), m.getAttentionResolutionsList(), m.getMiddleAttention(),
        m.getBlock(), m.getDropout(), m.getGroupNormGroups(), task.classCount());
    return new Denoiser(task, spec, Arithmetic.of(c.getTrain().getPrecision()), true,
        c.getTrain().getLeanActivations());
  }

  public DiffusionTask task() {
    return task;
  }

  public UNetSpec spec() {
    return unet.spec();
  }

  /** Side of x_t. */
  public int modelSize() {
    return task.modelSize();
  }

  /** Channels of x_t. */
  public int modelChannels() {
    return task.modelChannels();
  }

  /**
   * Dropout, lean activations and the layers' own backward passes are for training only; inference
   * graphs use a copy without them.
   */
  public Denoiser withoutDropout() {
    return new Denoiser(task, unet.spec().withDropout(0f), unet.arithmetic(), false, false);
  }

  /** The same network computing its products in {@code arithmetic} (exports choose their own). */
  public Denoiser in(Arithmetic arithmetic) {
    return new Denoiser(task, unet.spec(), arithmetic, false, false);
  }

  /** Placeholders (batch dimension open) for the conditioning the task needs, named as in exports. */
  public ConditionInputs placeholders(Ops tf) {
    return ConditionInputs.create(tf, task.inputs());
  }

  /** Builds eps_theta(x_t, t, conditioning) on the conditioning placeholders. */
  public Operand<TFloat32> predictNoise(Ops tf, ParameterStore params, Operand<TFloat32> xt, Operand<TInt32> t,
      ConditionInputs cond) {
    return predictNoise(tf, params, xt, t, cond.byName());
  }

  /** Builds eps_theta(x_t, t, conditioning), the conditioning given by input name (e.g. slices of a batch). */
  public Operand<TFloat32> predictNoise(Ops tf, ParameterStore params, Operand<TFloat32> xt, Operand<TInt32> t,
      Map<String, ? extends Operand<?>> cond) {
    return predictNoise(tf, params, xt, t, cond, null);
  }

  /**
   * As above, the UNet built as segments of {@code recomputation} (when not null), whose gradients
   * it then computes ({@code train.recompute}).
   */
  public Operand<TFloat32> predictNoise(Ops tf, ParameterStore params, Operand<TFloat32> xt, Operand<TInt32> t,
      Map<String, ? extends Operand<?>> cond, Recomputation recomputation) {
    List<Operand<TFloat32>> parts = new ArrayList<>();
    parts.add(xt);
    Operand<TInt32> label = null;
    for (SignatureInput input : task.inputs()) {
      if (input.integer()) {
        label = require(cond, input.name()).asOutput().expect(TInt32.class);
      } else {
        parts.add(require(cond, input.name()).asOutput().expect(TFloat32.class));
      }
    }
    Operand<TFloat32> input = parts.size() == 1 ? xt : tf.concat(parts, tf.constant(3));
    return unet.apply(tf, params, input, t, label, recomputation);
  }

  private static Operand<?> require(Map<String, ? extends Operand<?>> cond, String name) {
    Operand<?> input = cond.get(name);
    if (input == null) {
      throw new IllegalArgumentException("the denoiser needs the conditioning input '" + name + "'; given "
          + cond.keySet());
    }
    return input;
  }
}
