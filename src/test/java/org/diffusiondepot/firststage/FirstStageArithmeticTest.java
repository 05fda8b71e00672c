package org.diffusiondepot.firststage;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.diffusiondepot.nn.Arithmetic;
import org.diffusiondepot.nn.MappedStore;
import org.diffusiondepot.nn.VariableStore;
import org.diffusiondepot.runtime.Tensors;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * A VQGAN whose encoder and decoder compute in bf16 reads the same fp32 weights as the fp32 one and
 * computes the same to bf16 rounding; {@code train.precision: BF16} puts the first stage's training
 * pass in bf16 and leaves its evaluation pass in fp32.
 */
class FirstStageArithmeticTest {
  static final int SIZE = 16;

  /**
   * The decoder is fed Gaussian latents rather than the untrained codebook's: its few, tiny
   * codes make a nearly constant latent map, whose GroupNorm statistics (x - mean over a group
   * with almost no variance) magnify any rounding, fp32's included.
   */
  @Test
  void aBf16EncoderAndDecoderComputeWhatTheFp32OnesDoToBf16Rounding() {
    FirstStageNetwork full = FirstStageNetwork.fromConfig(TestConfigs.config(SIZE, "[1, 2]", 2));
    FirstStageNetwork half = full.in(Arithmetic.BF16);
    int latentSize = full.latentSize(SIZE);
    int latentChannels = full.latentChannels();
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      VariableStore store = new VariableStore(tf, FirstStageNetwork.ROOT, 7);
      Placeholder<TFloat32> x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, SIZE, SIZE, 3)));
      Placeholder<TFloat32> latents = tf.placeholder(TFloat32.class,
          Placeholder.shape(Shape.of(-1, latentSize, latentSize, latentChannels)));
      Operand<TFloat32> z = full.preQuantization(tf, store, x);
      full.quantizer().apply(tf, store, z);
      Operand<TFloat32> image = full.decodeQuantized(tf, store, latents);
      MappedStore mapped = new MappedStore(tf, FirstStageNetwork.ROOT, store.reads());
      Operand<TFloat32> zHalf = half.preQuantization(tf, mapped, x);
      Operand<TFloat32> imageHalf = half.decodeQuantized(tf, mapped, latents);
      Random r = new Random(1);
      float[] input = new float[2 * SIZE * SIZE * 3];
      for (int i = 0; i < input.length; i++) {
        input[i] = r.nextFloat() * 2 - 1;
      }
      float[] codes = new float[2 * latentSize * latentSize * latentChannels];
      for (int i = 0; i < codes.length; i++) {
        codes[i] = (float) r.nextGaussian();
      }
      try (Session s = new Session(g)) {
        s.initialize();
        try (TFloat32 xt = Tensors.of(input, 2, SIZE, SIZE, 3);
            TFloat32 lt = Tensors.of(codes, 2, latentSize, latentSize, latentChannels);
            Result res = s.runner().feed(x, xt).feed(latents, lt).fetch(z).fetch(zHalf).fetch(image)
                .fetch(imageHalf).run()) {
          check("encoder", Tensors.floats((TFloat32) res.get(0)), Tensors.floats((TFloat32) res.get(1)));
          check("decoder", Tensors.floats((TFloat32) res.get(2)), Tensors.floats((TFloat32) res.get(3)));
        }
      }
    }
  }

  @Test
  void bf16TrainingCastsItsProductsAndEvaluatesInFp32() {
    FirstStageTrainingGraph g = new FirstStageTrainingGraph(TestConfigs.parse(TestConfigs.text(SIZE, "[1, 2]", 2, "",
        "batch_size: 4 iterations: 10 precision: BF16")));
    try {
      int training = 0;
      int evaluation = 0;
      var ops = g.graph.operations();
      while (ops.hasNext()) {
        GraphOperation op = (GraphOperation) ops.next();
        if (op.type().equals("Conv2D") && op.output(0).type().getSimpleName().equals("TBfloat16")) {
          if (op.name().startsWith("evaluation/")) {
            evaluation++;
          } else {
            training++;
          }
        }
      }
      assertTrue(training > 0, "bf16 convolutions in the training pass");
      assertTrue(evaluation == 0, "no bf16 convolution in the evaluation pass: " + evaluation);
    } finally {
      g.graph.close();
    }
  }

  private static void check(String what, float[] a, float[] b) {
    double diff = 0;
    double norm = 0;
    for (int i = 0; i < a.length; i++) {
      diff += (a[i] - b[i]) * (double) (a[i] - b[i]);
      norm += a[i] * (double) a[i];
    }
    double relative = Math.sqrt(diff / norm);
    System.out.printf("%s: bf16 against fp32, relative L2 difference %.3g%n", what, relative);
    assertTrue(relative < 0.03, what + ": bf16 against fp32, relative L2 difference " + relative);
    assertTrue(relative > 1e-4, what + ": bf16 computing exactly as fp32 is not bf16: " + relative);
  }
}
