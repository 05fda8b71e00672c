package org.diffusiondepot.firststage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BiConsumer;
import org.diffusiondepot.nn.VariableStore;
import org.diffusiondepot.proto.ExperimentConfig;
import org.diffusiondepot.runtime.SessionConfigs;
import org.diffusiondepot.runtime.Tensors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * The layout of a first-stage step (replicas, micro-batches, fp16 loss scaling) changes how the
 * batch is computed, not what is learned: 3 updates of one device on a batch of 8 and of 2
 * micro-batches of 4 or 2 replicas of 4 end with the same autoencoder, codebook, discriminator and
 * Adam moments, up to the order of float sums (2e-5 relative per variable), with the GAN switched
 * off (the discriminator configured, so the fence around it is part of what is checked) and with
 * it running: the adaptive weight is the whole batch's in every layout.
 */
class FirstStageLayoutTest {
  static final int BATCH = 8;
  static final int SIZE = 16;
  /**
   * Float sums in another order, no more: on the AVX2 CPU the worst variables sit at 9.7e-6 (GAN
   * off) and 1.04e-5 (GAN on, 3 steps: the Adam moment of an attention GroupNorm's gamma, whose
   * gradient nearly cancels over the batch) since a 1x1 kernel's gradient became one matrix
   * product, 9.9e-6 before. The bar stays at float rounding: a tower that used its own adaptive
   * weight would be off by the difference between half-batch and whole-batch gradient norms.
   */
  static final double TOLERANCE = 2e-5;
  /**
   * Adam's first step moves every component by about the learning rate whatever the size of its
   * gradient (m / sqrt(v) = g / |g|), so a component whose gradient is near adam_epsilon carries the
   * float-order differences of its sums into the weights undamped; later steps average them out.
   * Measured worst: 7.4e-6 on an AVX-512 CPU, 1.09e-5 (a decoder GroupNorm's beta) on an AVX2 one.
   */
  static final double FIRST_STEP_TOLERANCE = 3e-5;
  static final String TWO_REPLICAS = "devices: [\"/device:CPU:0\", \"/device:CPU:1\"]";
  static final String TWO_MICRO_BATCHES = "accumulation_steps: 2";

  /** One device, GAN off: what every layout must reproduce. */
  static Map<String, float[]> reference;
  /** One device and two replicas with the GAN running, after one step and after three. */
  static List<Map<String, float[]>> referenceGan;
  static List<Map<String, float[]>> twoReplicasGan;
  static List<float[]> referenceGanLambdas = new ArrayList<>();
  static List<float[]> twoReplicasGanLambdas = new ArrayList<>();

  @BeforeAll
  static void oneDeviceAndTwoReplicasWithTheGan() {
    reference = run("", false, 3, null).get(1);
    referenceGan = run("", true, 3, referenceGanLambdas);
    twoReplicasGan = run(TWO_REPLICAS, true, 3, twoReplicasGanLambdas);
  }

  @Test
  void twoMicroBatchesOfFourEqualOneBatchOfEight() {
    assertSameState(reference, run(TWO_MICRO_BATCHES, false, 3, null).get(1), "2 micro-batches");
  }

  /** Also: the training pass needs a batch the towers divide, the inference pass takes any. */
  @Test
  void twoReplicasOfFourEqualOneDeviceOfEight() {
    List<Map<String, float[]>> states = run(TWO_REPLICAS, false, 3, null, (s, g) -> {
      float[] images = images(0);
      float[] fromTraining;
      try (TFloat32 x = Tensors.of(images, BATCH, SIZE, SIZE, 3);
          Result r = s.runner().feed(g.images, x).fetch(g.reconstruction).run()) {
        fromTraining = Tensors.floats((TFloat32) r.get(0));
      }
      int three = 3 * SIZE * SIZE * 3;
      try (TFloat32 x = Tensors.of(java.util.Arrays.copyOf(images, three), 3, SIZE, SIZE, 3);
          Result r = g.evaluate(s, x)) {
        float[] evaluated = Tensors.floats((TFloat32) r.get(0));
        assertEquals(three, evaluated.length);
        assertArrayEquals(java.util.Arrays.copyOf(fromTraining, three), evaluated, 1e-5f,
            "the inference pass on 3 images reconstructs them as the training pass does");
        assertEquals(3 * (SIZE / 2) * (SIZE / 2), ((org.tensorflow.types.TInt32) r.get(1)).size(), "code indices of 3 images");
      }
    });
    assertSameState(reference, states.get(1), "2 replicas");
  }

  /**
   * With the GAN running, too: lambda = ||grad_w L_rec|| / ||grad_w L_gan|| (w the decoder's last
   * kernel) is a ratio of norms of whole-batch gradients, which the towers measure together (the
   * mean of their kernel gradients) rather than each on its slice; the discriminator's hinge loss
   * and the generator loss are means over the batch. Each step's lambda and every variable after
   * the first and the third step equal one device's.
   */
  @Test
  void withTheGanRunningTwoReplicasEqualOneDevice() {
    assertFalse(only(referenceGan.get(0), true).isEmpty());
    for (int i = 0; i < referenceGanLambdas.size(); i++) {
      float one = referenceGanLambdas.get(i)[0];
      float two = twoReplicasGanLambdas.get(i)[0];
      assertTrue(one > 0, "lambda " + one);
      assertEquals(one, two, TOLERANCE * one, "step " + i + ": the batch's lambda");
    }
    assertSameState(referenceGan.get(0), twoReplicasGan.get(0), "GAN on, 2 replicas, first step", FIRST_STEP_TOLERANCE);
    assertSameState(referenceGan.get(1), twoReplicasGan.get(1), "GAN on, 2 replicas, 3 steps");
  }

  @Test
  void withTheGanRunningTwoMicroBatchesEqualOneBatch() {
    List<float[]> lambdas = new ArrayList<>();
    List<Map<String, float[]>> states = run(TWO_MICRO_BATCHES, true, 3, lambdas);
    for (int i = 0; i < lambdas.size(); i++) {
      float one = referenceGanLambdas.get(i)[0];
      assertEquals(one, lambdas.get(i)[0], TOLERANCE * one, "step " + i + ": the batch's lambda");
    }
    assertSameState(referenceGan.get(1), states.get(1), "GAN on, 2 micro-batches, 3 steps");
  }

  /**
   * fp16's dynamic loss scaling (here its graph with fp32 arithmetic: TensorFlow's fp16 emulation
   * on CPUs would only make the test slow) changes no clean step, GAN and adaptive weight included,
   * since the scale is a power of two; a step with an infinite input is skipped by both networks,
   * halves the scale, is counted as skipped and still moves the step counter.
   */
  @Test
  void lossScalingChangesNoCleanStepAndSkipsAnOverflow() {
    ExperimentConfig config = config(TWO_REPLICAS + " precision: FP16");
    FirstStageTrainingGraph g = new FirstStageTrainingGraph(config, null, org.diffusiondepot.nn.Arithmetic.FP32);
    try (Session s = new Session(g.graph, withDevices(SessionConfigs.cpu(), 2))) {
      s.initialize();
      for (int i = 0; i < 3; i++) {
        step(s, g, images(i), true);
      }
      Map<String, float[]> clean = state(s, g);
      assertSameState(twoReplicasGan.get(1), clean, "fp16 loss scaling, clean steps");
      assertEquals(32768f, scalar(s, g.lossScale.value()));

      float[] poisoned = images(3);
      poisoned[5] = Float.POSITIVE_INFINITY;
      try (TFloat32 x = Tensors.of(poisoned, BATCH, SIZE, SIZE, 3); TFloat32 lr = TFloat32.scalarOf(1e-3f);
          TBool active = TBool.scalarOf(true);
          Result r = s.runner().feed(g.images, x).feed(g.learningRate, lr).feed(g.ganActive, active)
              .addTarget(g.autoencoderStep).addTarget(g.discriminatorStep).fetch(g.reconstructionLoss).run()) {
        assertFalse(Float.isFinite(((TFloat32) r.get(0)).getFloat()));
      }
      Map<String, float[]> after = state(s, g);
      for (String name : clean.keySet()) {
        assertArrayEquals(clean.get(name), after.get(name), name + " untouched by the skipped step");
      }
      assertEquals(16384f, scalar(s, g.lossScale.value()), "the scale halves");
      assertEquals(1, count(s, g.lossScale.skipped()));
      assertEquals(4, count(s, g.stepValue), "a skipped step still counts");
    } finally {
      g.graph.close();
    }
  }

  static ExperimentConfig config(String train) {
    return TestConfigs.parse(TestConfigs.text(SIZE, "[1, 2]", 2,
        "discriminator_weight: 0.8 discriminator_channels: 12 discriminator_layers: 2",
        "batch_size: 8 iterations: 10 learning_rate: 1e-3 weight_decay: 0.01 grad_clip_norm: 1.0 " + train)
        .replace("base_channels: 8", "base_channels: 24"));
  }

  static List<Map<String, float[]>> run(String train, boolean gan, int steps, List<float[]> metrics) {
    return run(train, gan, steps, metrics, (s, g) -> { });
  }

  /**
   * Every variable after the first step and after {@code steps} steps on fixed batches, the GAN
   * running or not; {@code metrics} (if not null) gets each step's fetched scalars.
   */
  static List<Map<String, float[]>> run(String train, boolean gan, int steps, List<float[]> metrics,
      BiConsumer<Session, FirstStageTrainingGraph> after) {
    FirstStageTrainingGraph g = new FirstStageTrainingGraph(config(train));
    try (Session s = new Session(g.graph, g.layout.sessionConfig())) {
      s.initialize();
      List<Map<String, float[]>> states = new ArrayList<>();
      for (int i = 0; i < steps; i++) {
        float[] fetched = step(s, g, images(i), gan);
        if (metrics != null) {
          metrics.add(fetched);
        }
        if (i == 0) {
          states.add(state(s, g));
        }
      }
      assertEquals(steps, count(s, g.stepValue));
      states.add(state(s, g));
      after.accept(s, g);
      return states;
    } finally {
      g.graph.close();
    }
  }

  /** A batch of uniform noise in [-1, 1], the same for every layout. */
  static float[] images(int i) {
    float[] batch = new float[BATCH * SIZE * SIZE * 3];
    Random random = new Random(100 + i);
    for (int k = 0; k < batch.length; k++) {
      batch[k] = random.nextFloat() * 2 - 1;
    }
    return batch;
  }

  /** One update; returns lambda when the GAN runs, else the reconstruction loss. */
  static float[] step(Session s, FirstStageTrainingGraph g, float[] images, boolean gan) {
    try (TFloat32 x = Tensors.of(images, BATCH, SIZE, SIZE, 3); TFloat32 lr = TFloat32.scalarOf(1e-3f);
        TBool active = TBool.scalarOf(gan)) {
      Session.Runner runner = s.runner().feed(g.images, x).feed(g.learningRate, lr).feed(g.ganActive, active)
          .addTarget(g.autoencoderStep);
      if (gan) {
        runner.addTarget(g.discriminatorStep).fetch(g.adaptiveWeight);
      } else {
        runner.fetch(g.reconstructionLoss);
      }
      try (Result r = runner.run()) {
        float value = ((TFloat32) r.get(0)).getFloat();
        assertTrue(Float.isFinite(value));
        return new float[] {value};
      }
    }
  }

  /**
   * Weights and both Adam slots of the autoencoder and of the discriminator, fetched in one run:
   * a run per variable would have the session optimise the graph again for each.
   */
  static Map<String, float[]> state(Session s, FirstStageTrainingGraph g) {
    List<String> names = new ArrayList<>();
    List<String> keys = new ArrayList<>(g.weights.variables().keySet());
    keys.addAll(g.discriminatorWeights.variables().keySet());
    Session.Runner runner = s.runner();
    for (String key : keys) {
      for (String slot : List.of("", "optimizer/m/", "optimizer/v/")) {
        String op = VariableStore.opName(slot + key);
        names.add(op);
        runner.fetch(g.graph.operation(op).output(0));
      }
    }
    Map<String, float[]> out = new LinkedHashMap<>();
    try (Result r = runner.run()) {
      for (int i = 0; i < names.size(); i++) {
        out.put(names.get(i), Tensors.floats((TFloat32) r.get(i)));
      }
    }
    return out;
  }

  /** The discriminator's variables (and slots), or everything else. */
  static Map<String, float[]> only(Map<String, float[]> state, boolean discriminator) {
    Map<String, float[]> out = new LinkedHashMap<>();
    state.forEach((name, values) -> {
      if (name.contains(PatchDiscriminator.ROOT + ".") == discriminator) {
        out.put(name, values);
      }
    });
    return out;
  }

  /** The largest difference of a variable from the reference, relative to the reference's norm. */
  static double worst(Map<String, float[]> expected, Map<String, float[]> actual) {
    assertEquals(expected.keySet(), actual.keySet());
    double worst = 0;
    for (String name : expected.keySet()) {
      worst = Math.max(worst, relative(expected.get(name), actual.get(name)));
    }
    return worst;
  }

  static double relative(float[] a, float[] b) {
    double diff = 0;
    double norm = 0;
    for (int i = 0; i < a.length; i++) {
      diff += (a[i] - b[i]) * (double) (a[i] - b[i]);
      norm += a[i] * (double) a[i];
    }
    return Math.sqrt(diff) / Math.max(Math.sqrt(norm), 1e-12);
  }

  /** Each variable within {@link #TOLERANCE} of the reference, relative to its norm. */
  static void assertSameState(Map<String, float[]> expected, Map<String, float[]> actual, String what) {
    assertSameState(expected, actual, what, TOLERANCE);
  }

  static void assertSameState(Map<String, float[]> expected, Map<String, float[]> actual, String what,
      double tolerance) {
    assertEquals(expected.keySet(), actual.keySet());
    List<String> off = new ArrayList<>();
    for (String name : expected.keySet()) {
      double relative = relative(expected.get(name), actual.get(name));
      if (relative > tolerance) {
        off.add(name + " " + relative);
      }
    }
    double worst = worst(expected, actual);
    System.out.printf("%s: worst relative difference %.3g%n", what, worst);
    assertTrue(off.isEmpty(), what + ": variables off by more than " + tolerance + " relative (worst " + worst + "): "
        + off);
  }

  private static ConfigProto withDevices(ConfigProto config, int cpus) {
    return config.toBuilder().putDeviceCount("CPU", cpus).build();
  }

  private static float scalar(Session s, Operand<TFloat32> x) {
    try (Result r = s.runner().fetch(x).run()) {
      return ((TFloat32) r.get(0)).getFloat();
    }
  }

  private static long count(Session s, Operand<TInt64> x) {
    try (Result r = s.runner().fetch(x).run()) {
      return ((TInt64) r.get(0)).getLong();
    }
  }
}
