package org.diffusiondepot.task;

/**
 * Classifier-free guidance (Ho and Salimans 2022): eps = eps_uncond + w (eps_cond - eps_uncond).
 * The conditional and unconditional passes go through the network as one batch of 2B.
 */
public final class GuidedPredictor implements NoisePredictor {
  private final NoisePredictor model;
  private final double scale;
  private final int nullClass;

  public GuidedPredictor(NoisePredictor model, double scale, int nullClass) {
    this.model = model;
    this.scale = scale;
    this.nullClass = nullClass;
  }

  @Override
  public float[] predict(float[] xt, int[] t, Conditioning condition, int batch) {
    int n = xt.length;
    float[] doubled = new float[2 * n];
    System.arraycopy(xt, 0, doubled, 0, n);
    System.arraycopy(xt, 0, doubled, n, n);
    int[] steps = new int[2 * batch];
    int[] labels = new int[2 * batch];
    for (int i = 0; i < batch; i++) {
      steps[i] = t[i];
      steps[batch + i] = t[i];
      labels[i] = condition.labels()[i];
      labels[batch + i] = nullClass;
    }
    float[] eps = model.predict(doubled, steps, Conditioning.ofLabels(labels), 2 * batch);
    return combine(eps, n, scale);
  }

  /** eps_u + w (eps_c - eps_u), from [eps_c; eps_u] stacked along the batch. */
  static float[] combine(float[] stacked, int n, double scale) {
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      double conditional = stacked[i];
      double unconditional = stacked[n + i];
      out[i] = (float) (unconditional + scale * (conditional - unconditional));
    }
    return out;
  }
}
