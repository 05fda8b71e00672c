package org.diffusiondepot.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.Random;
import org.diffusiondepot.proto.Prediction;
import org.diffusiondepot.proto.VarianceType;
import org.diffusiondepot.runtime.Tensors;
import org.diffusiondepot.schedule.NoiseSchedule;
import org.diffusiondepot.task.VelocityPrediction;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * v = sqrt(abar) eps - sqrt(1 - abar) x_0 as the training target, and its conversion back to eps
 * on the host: the target a v-network learns turns into exactly the noise the samplers expect.
 */
class VelocityPredictionTest {
  static final NoiseSchedule SCHEDULE = NoiseSchedule.of(NoiseSchedule.cosineBetas(1000, 0.008, 0.999),
      VarianceType.SAME);
  static final int BATCH = 4;
  static final int PER = 2 * 2 * 3;
  static final int[] T = {0, 250, 700, 999};

  @Test
  void theTrainingTargetIsVForAVNetworkAndEpsOtherwise() {
    Random random = new Random(5);
    float[] x0 = gaussian(random);
    float[] noise = gaussian(random);
    float[] v = target(Prediction.V, x0, noise);
    for (int i = 0; i < BATCH; i++) {
      double a = Math.sqrt(SCHEDULE.alphaCumprod(T[i]));
      double s = Math.sqrt(1 - SCHEDULE.alphaCumprod(T[i]));
      for (int j = i * PER; j < (i + 1) * PER; j++) {
        assertEquals(a * noise[j] - s * x0[j], v[j], 1e-6, "t = " + T[i]);
      }
    }
    assertArrayEquals(noise, target(Prediction.EPSILON, x0, noise), 0f);
  }

  @Test
  void theTargetOfAVNetworkConvertsBackToTheNoiseOfItsXt() {
    Random random = new Random(6);
    float[] x0 = gaussian(random);
    float[] noise = gaussian(random);
    float[] xt = new float[x0.length];
    for (int i = 0; i < BATCH; i++) {
      for (int j = i * PER; j < (i + 1) * PER; j++) {
        xt[j] = (float) (SCHEDULE.sqrtAlphaCumprod(T[i]) * x0[j] + SCHEDULE.sqrtOneMinusAlphaCumprod(T[i]) * noise[j]);
      }
    }
    float[] eps = VelocityPrediction.asNoise(target(Prediction.V, x0, noise), xt, T, BATCH, SCHEDULE, Prediction.V);
    assertArrayEquals(noise, eps, 1e-5f, "eps = sqrt(abar) v + sqrt(1 - abar) x_t");
    float[] output = noise.clone();
    assertSame(output, VelocityPrediction.asNoise(output, xt, T, BATCH, SCHEDULE, Prediction.EPSILON));
    assertArrayEquals(noise, output, 0f, "an eps-network's output is left as it is");
  }

  /** DiffusionLoss.target run as a graph. */
  private static float[] target(Prediction prediction, float[] x0, float[] noise) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> x = tf.placeholder(TFloat32.class);
      Placeholder<TFloat32> n = tf.placeholder(TFloat32.class);
      Placeholder<TInt32> t = tf.placeholder(TInt32.class);
      var out = tf.identity(new DiffusionLoss(tf, SCHEDULE, prediction).target(x, t, n));
      try (Session s = new Session(g);
          TFloat32 xv = Tensors.of(x0, BATCH, 2, 2, 3);
          TFloat32 nv = Tensors.of(noise, BATCH, 2, 2, 3);
          TInt32 tv = Tensors.of(T, BATCH);
          Result r = s.runner().feed(x, xv).feed(n, nv).feed(t, tv).fetch(out).run()) {
        return Tensors.floats((TFloat32) r.get(0));
      }
    }
  }

  private static float[] gaussian(Random random) {
    float[] out = new float[BATCH * PER];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) random.nextGaussian();
    }
    return out;
  }
}
