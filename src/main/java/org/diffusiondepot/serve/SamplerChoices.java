package org.diffusiondepot.serve;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.diffusiondepot.sampler.Sampling;
import org.diffusiondepot.sampler.SamplingException;

/**
 * The samplers the page offers: every constant of {@link Sampling.Method}, so that a sampler added
 * to the library appears without a change here. Its name on the page and in the command line is the
 * constant in lower case with dashes ({@code DDIM} to {@code ddim}), as {@code depot-sample
 * --sampler} spells them.
 */
final class SamplerChoices {
  private SamplerChoices() {}

  static String name(Sampling.Method method) {
    return method.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  static List<Sampling.Method> all() {
    return List.of(Sampling.Method.values());
  }

  static Sampling.Method parse(String name) {
    for (Sampling.Method method : Sampling.Method.values()) {
      if (name(method).equals(name)) {
        return method;
      }
    }
    throw new SamplingException("unknown sampler '" + name + "'; use one of "
        + Arrays.stream(Sampling.Method.values()).map(SamplerChoices::name).collect(Collectors.joining(", ")));
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
    return all().stream().map(m -> Json.object("name", name(m), "label", m.name().replace('_', '-'),
        "steps", takesSteps(m), "eta", takesEta(m))).toList();
  }
}
