package org.diffusiondepot.firststage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.diffusiondepot.nn.VariableStore;
import org.diffusiondepot.runtime.Tensors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/** Encoder and decoder shapes for f = 8 and f = 16, and the variable names other code restores. */
class NetworkShapeTest {
  @ParameterizedTest(name = "f = {1}")
  @CsvSource(delimiter = ';', value = {"[1, 1, 2, 2]; 8", "[1, 1, 2, 2, 2]; 16"})
  void encodesToTheLatentGridAndDecodesBack(String mults, int factor) {
    FirstStageNetwork network = FirstStageNetwork.fromConfig(TestConfigs.config(32, mults, factor));
    int latent = 32 / factor;
    assertEquals(latent, network.latentSize(32));
    assertEquals(4, network.latentChannels());
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      VariableStore store = new VariableStore(tf, FirstStageNetwork.ROOT, 1);
      Operand<TFloat32> image = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 32, 32, 3)));
      Operand<TFloat32> z = network.encode(tf, store, image);
      Operand<TFloat32> decoded = network.decode(tf, store, z);
      assertArrayEquals(new long[] {-1, latent, latent, 4}, z.shape().asArray());
      assertArrayEquals(new long[] {-1, 32, 32, 3}, decoded.shape().asArray());
      try (Session s = new Session(g)) {
        s.initialize();
        try (TFloat32 x = Tensors.of(new float[2 * 32 * 32 * 3], 2, 32, 32, 3);
            Result r = s.runner().feed(image, x).fetch(z).fetch(decoded).run()) {
          assertArrayEquals(new long[] {2, latent, latent, 4}, r.get(0).shape().asArray());
          assertArrayEquals(new long[] {2, 32, 32, 3}, r.get(1).shape().asArray());
        }
      }
      Map<String, ?> variables = store.variables();
      for (String name : new String[] {"vqgan/encoder/conv_in/kernel", "vqgan/encoder/down0/block0/conv1/kernel",
          "vqgan/encoder/down0/downsample/kernel", "vqgan/encoder/mid/attn/qkv/kernel", "vqgan/encoder/conv_out/bias",
          "vqgan/quant_conv/kernel", "vqgan/quantizer/codebook", "vqgan/post_quant_conv/kernel",
          "vqgan/decoder/conv_in/kernel", "vqgan/decoder/up1/upsample/kernel", "vqgan/decoder/conv_out/kernel"}) {
        assertTrue(variables.containsKey(name), name + " missing from " + variables.keySet());
      }
      assertEquals(Shape.of(32, 4), store.variables().get("vqgan/quantizer/codebook").shape());
      assertTrue(g.operation("vqgan.quantizer.codebook") != null, "checkpoint key of the codebook");
    }
  }
}
