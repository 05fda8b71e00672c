package org.diffusiondepot.serve;

import java.util.List;
import java.util.Map;
import org.diffusiondepot.sampler.Sampling;

/**
 * The samplers the page offers: every constant of {@link Sampling.Method}, so that a sampler added
 * to the library appears without a change here. Its name on the page and in the command line is the
 * one {@code depot-sample --sampler} takes ({@link Sampling.Method#cliName}).
 */
final class SamplerChoices {
  private SamplerChoices() {}

  static String name(Sampling.Method method) {
    return method.cliName();
  }

  static List<Sampling.Method> all() {
    return List.of(Sampling.Method.values());
  }

  static Sampling.Method parse(String name) {
    return Sampling.Method.parse(name);
  }

  /** DDPM runs the model's whole chain: it takes no step count. */
  static boolean takesSteps(Sampling.Method method) {
    return method != Sampling.Method.DDPM;
  }

  /** Only DDIM has the eta knob (its noise between deterministic, 0, and DDPM-like, 1). */
  static boolean takesEta(Sampling.Method method) {
    return method == Sampling.Method.DDIM;
  }

  /** What the page needs to show a sampler's fields. */
  static List<Map<String, Object>> describe() {
    return all().stream().map(m -> Json.object("name", name(m), "label", m.label(),
        "steps", takesSteps(m), "eta", takesEta(m))).toList();
  }
}
