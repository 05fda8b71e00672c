package org.diffusiondepot.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.diffusiondepot.config.ConfigLoader;
import org.diffusiondepot.config.ConfigOverrides;
import org.diffusiondepot.diffusion.Denoiser;
import org.diffusiondepot.proto.BlockType;
import org.diffusiondepot.proto.ExperimentConfig;
import org.diffusiondepot.runtime.Tensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Lean activations (training graphs): GELU and SiLU that carry their own derivative give the same
 * output and the same gradients as the differentiated formula, and the backward pass reads fewer
 * forward tensors, which is the memory they save.
 */
class LeanActivationsTest {
  private static final int SIZE = 16;
  private static final int BATCH = 2;

  @ParameterizedTest
  @EnumSource(value = BlockType.class, names = {"RESNET_3X3", "CONVNEXT_7X7"})
  void sameOutputAndGradientsFromFewerKeptTensors(BlockType block) {
    Run plain = run(block, false);
    Run lean = run(block, true);
    assertTrue(BackwardPasses.relativeDifference(plain.output, lean.output) <= 1e-6,
        "outputs differ by " + BackwardPasses.relativeDifference(plain.output, lean.output));
    assertEquals(plain.gradients.size(), lean.gradients.size());
    for (int i = 0; i < plain.gradients.size(); i++) {
      double d = BackwardPasses.relativeDifference(plain.gradients.get(i), lean.gradients.get(i));
      // 1e-5: the sums of the backward pass run in another order
      assertTrue(d <= 1e-5, "gradient " + i + " differs by " + d + " relative");
    }
    // ConvNeXt: GELU keeps its slope instead of x, x / sqrt 2 and Phi(x), the three tensors its
    // product rule reads; ResNet: SiLU keeps its slope instead of x and sigmoid(x). Ninety per cent
    // of that: the blocks' SiLUs of the time embedding share their x.
    double perActivation = block == BlockType.CONVNEXT_7X7 ? 2 : 1;
    assertTrue(lean.keptBytes < plain.keptBytes, lean.keptBytes + " vs " + plain.keptBytes);
    assertTrue(plain.keptBytes - lean.keptBytes >= 0.9 * perActivation * plain.activationBytes,
        "saved " + (plain.keptBytes - lean.keptBytes) + " bytes, activations hold " + plain.activationBytes);
  }

  /** train.lean_activations reaches the training denoiser; its inference copy is plain. */
  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void theConfigFieldChoosesTheActivations(boolean lean) {
    ExperimentConfig config = ConfigLoader.load(Path.of("graphs/demo/uncond.pbtxt"),
        ConfigOverrides.parse(List.of("train.lean_activations=" + lean)));
    Denoiser denoiser = Denoiser.fromConfig(config);
    assertEquals(lean ? 1 : 0, Math.min(1, stopGradients(denoiser)), "training denoiser");
    assertEquals(0, stopGradients(denoiser.withoutDropout()), "inference copy");
  }

  /**
   * The layers' own backward passes are for the training denoiser: its inference copy (exports,
   * sampling, validation) has no carriers, whose ops a session without grappler would run.
   */
  @Test
  void onlyTheTrainingDenoiserCarriesItsOwnBackwardPasses() {
    Denoiser denoiser = Denoiser.fromConfig(ConfigLoader.load(Path.of("graphs/demo/uncond.pbtxt"),
        ConfigOverrides.parse(List.of())));
    assertTrue(count(denoiser, "IdentityN", ConvolutionBackward.MARKER) > 0, "convolution carriers in training");
    assertTrue(count(denoiser, "IdentityN", GroupNormBackward.MARKER) > 0, "GroupNorm carriers in training");
    assertEquals(0, count(denoiser.withoutDropout(), "IdentityN", ""), "carriers in the inference copy");
    assertEquals(0, count(denoiser.withoutDropout(), "StopGradient", ""), "stop gradients in the inference copy");
  }

  private static long stopGradients(Denoiser denoiser) {
    return count(denoiser, "StopGradient", "") - count(denoiser, "StopGradient", ConvolutionBackward.MARKER)
        - count(denoiser, "StopGradient", GroupNormBackward.MARKER);
  }

  /** Ops of {@code type} whose name contains {@code marker} in the denoiser's graph. */
  private static long count(Denoiser denoiser, String type, String marker) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      int size = denoiser.modelSize();
      Placeholder<TFloat32> x = tf.placeholder(TFloat32.class,
          Placeholder.shape(Shape.of(1, size, size, denoiser.modelChannels())));
      Placeholder<TInt32> t = tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(1)));
      denoiser.predictNoise(tf, new VariableStore(tf, "unet", 7), x, t, Map.of());
      long count = 0;
      var it = g.operations();
      while (it.hasNext()) {
        GraphOperation op = it.next();
        count += op.type().equals(type) && op.name().contains(marker) ? 1 : 0;
      }
      return count;
    }
  }

  private record Run(float[] output, List<float[]> gradients, long keptBytes, long activationBytes) {}

  private static Run run(BlockType block, boolean lean) {
    UNetSpec spec = new UNetSpec(SIZE, 3, 3, 8, List.of(1, 2), 1, List.of(8), true, block, 0f, 4, 0);
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      VariableStore store = new VariableStore(tf, "unet", 7);
      Placeholder<TFloat32> x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(BATCH, SIZE, SIZE, 3)));
      Placeholder<TInt32> t = tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(BATCH)));
      Operand<TFloat32> y = new UNet(spec, Arithmetic.FP32, lean).apply(tf, store, x, t, null);
      Operand<TFloat32> loss = tf.math.mean(tf.math.square(tf.math.sub(y, tf.constant(0.3f))),
          tf.constant(new int[] {0, 1, 2, 3}));
      List<Variable<TFloat32>> vars = new ArrayList<>(store.variables().values());
      Output<?>[] grads = g.addGradients("gradients", new Output<?>[] {loss.asOutput()},
          vars.stream().map(Variable::asOutput).toArray(Output[]::new), null);
      long[] kept = keptBytes(g, grads, block == BlockType.CONVNEXT_7X7 ? "Erf" : "Sigmoid");
      float[] input = BackwardPasses.gaussian(BATCH * SIZE * SIZE * 3, 1);
      try (Session s = new Session(g)) {
        s.initialize();
        try (TFloat32 xt = Tensors.of(input, BATCH, SIZE, SIZE, 3); TInt32 tt = Tensors.of(new int[] {3, 700}, BATCH)) {
          Session.Runner runner = s.runner().feed(x, xt).feed(t, tt).fetch(y);
          for (Output<?> gr : grads) {
            runner.fetch(gr);
          }
          try (Result res = runner.run()) {
            List<float[]> values = new ArrayList<>();
            for (int i = 0; i < grads.length; i++) {
              values.add(Tensors.floats((TFloat32) res.get(i + 1)));
            }
            return new Run(Tensors.floats((TFloat32) res.get(0)), values, kept[0], kept[1]);
          }
        }
      }
    }
  }

  /**
   * Bytes of forward tensors that an op of the backward pass reads, counting only backward ops the
   * gradients depend on (the rest never runs) and not the shape ops (they read no data); and the
   * bytes of the activation ops' ({@code activationOp}) inputs, the size of one activation's tensor.
   */
  private static long[] keptBytes(Graph g, Output<?>[] grads, String activationOp) {
    Set<GraphOperation> needed = BackwardPasses.neededOps(grads, op -> op.name().startsWith("gradients/"));
    long kept = 0;
    long activation = 0;
    var it = g.operations();
    while (it.hasNext()) {
      GraphOperation op = it.next();
      if (op.name().startsWith("gradients/") || op.type().startsWith("Variable") || op.type().equals("Const")) {
        continue;
      }
      for (int o = 0; o < op.numOutputs(); o++) {
        boolean read = op.consumers(o).stream().anyMatch(c -> BackwardPasses.keeps(needed, c));
        long bytes = Math.max(0, op.output(o).shape().size()) * 4;
        if (read) {
          kept += bytes;
        }
        if (op.type().equals(activationOp)) {
          activation += bytes;
        }
      }
    }
    return new long[] {kept, activation};
  }
}
