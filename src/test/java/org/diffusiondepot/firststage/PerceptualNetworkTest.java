package org.diffusiondepot.firststage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.diffusiondepot.config.ConfigException;
import org.diffusiondepot.runtime.Tensors;
import org.diffusiondepot.train.TrainingRequest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/** A user-supplied feature network, frozen into the training graph, and the errors when it is missing. */
class PerceptualNetworkTest {
  @TempDir static Path dir;
  static Path model;
  static final Random RANDOM = new Random(5);

  @BeforeAll
  static void exportFeatureNetwork() throws Exception {
    model = FeatureNetworks.export(dir.resolve("features"));
  }

  @Test
  void frozenCopyComputesWhatTheSavedModelComputes() {
    float[] images = random(2 * 8 * 8 * 3);
    float[] expected1;
    float[] expected2;
    try (SavedModelBundle bundle = SavedModelBundle.load(model.toString(), "serve");
        Tensor in = Tensors.of(images, 2, 8, 8, 3);
        Result r = bundle.function("serving_default").call(Map.of("image", in))) {
      expected1 = Tensors.floats((TFloat32) r.get("block1").orElseThrow());
      expected2 = Tensors.floats((TFloat32) r.get("block2").orElseThrow());
    }
    try (PerceptualNetwork network = PerceptualNetwork.load(model, 1.0); Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 8, 8, 3)));
      Placeholder<TFloat32> y = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 8, 8, 3)));
      List<Operand<TFloat32>> features = network.features(tf, x);
      Operand<TFloat32> distance = network.distance(tf, x, y);
      Output<?> gradient = g.addGradients(distance.asOutput(), new Output<?>[] {y.asOutput()})[0];
      try (Session s = new Session(g); TFloat32 xv = Tensors.of(images, 2, 8, 8, 3);
          TFloat32 yv = Tensors.of(random(2 * 8 * 8 * 3), 2, 8, 8, 3);
          Result r = s.runner().feed(x, xv).feed(y, yv).fetch(features.get(0)).fetch(features.get(1)).fetch(distance)
              .fetch(gradient).run();
          Result same = s.runner().feed(x, xv).feed(y, xv).fetch(distance).run()) {
        assertArrayEquals(expected1, Tensors.floats((TFloat32) r.get(0)), 1e-5f);
        assertArrayEquals(expected2, Tensors.floats((TFloat32) r.get(1)), 1e-5f);
        assertTrue(((TFloat32) r.get(2)).getFloat() > 0);
        float[] g1 = Tensors.floats((TFloat32) r.get(3));
        assertTrue(java.util.stream.IntStream.range(0, g1.length).anyMatch(i -> g1[i] != 0), "gradient reaches y");
        assertEquals(0f, ((TFloat32) same.get(0)).getFloat(), 1e-6f);
      }
    }
  }

  @Test
  void aMissingModelFailsAtStartSayingTheFieldCanBeEmpty() throws Exception {
    Path missing = dir.resolve("no-such-model");
    ConfigException e = assertThrows(ConfigException.class, () -> PerceptualNetwork.load(missing, 1.0));
    assertTrue(e.getMessage().contains("first_stage.perceptual_model") && e.getMessage().contains("does not exist")
        && e.getMessage().contains("leave it empty"), e.getMessage());

    Path notAModel = Files.createDirectories(dir.resolve("empty"));
    Files.writeString(notAModel.resolve("saved_model.pb"), "not a protobuf");
    ConfigException broken = assertThrows(ConfigException.class, () -> PerceptualNetwork.load(notAModel, 1.0));
    assertTrue(broken.getMessage().contains("cannot be loaded"), broken.getMessage());

    Path config = dir.resolve("c.pbtxt");
    Files.writeString(config, TestConfigs.text(16, "[1, 1, 2]", 4, "perceptual_model: \"" + missing + "\"",
        "batch_size: 2 iterations: 5"));
    Path run = dir.resolve("never-created");
    ConfigException atStart = assertThrows(ConfigException.class, () -> FirstStageTraining.run(
        new TrainingRequest(config, "builtin", run, 1L),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)));
    assertTrue(atStart.getMessage().contains("does not exist"), atStart.getMessage());
    assertFalse(Files.exists(run), "nothing was started");
  }

  private static float[] random(int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (RANDOM.nextFloat() * 2 - 1);
    }
    return v;
  }
}
