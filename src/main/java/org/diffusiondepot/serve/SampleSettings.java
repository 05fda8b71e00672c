package org.diffusiondepot.serve;

import java.math.BigDecimal;
import java.util.Map;
import org.diffusiondepot.sampler.Sampling;

/**
 * The settings of one request as the user chose them, named as {@code depot-sample}'s options.
 *
 * @param num samples, or samples per class when {@code className} is "all" ({@code --num})
 * @param method the sampler ({@code --sampler})
 * @param steps DDIM-style step count, null for samplers that run the whole chain ({@code --steps})
 * @param eta DDIM noise ({@code --eta}); 0 where the sampler has none
 * @param seed the seed the server used, chosen at random when the user left it blank ({@code --seed})
 * @param className a class name or "all", null for models without classes ({@code --class})
 * @param guidance classifier-free guidance, null for the card's default ({@code --guidance})
 */
record SampleSettings(int num, Sampling.Method method, Integer steps, double eta, long seed, String className,
    Double guidance) {

  /** For the page: what made a result. */
  Map<String, Object> toJson() {
    return Json.object("num", num, "sampler", SamplerChoices.name(method), "steps", steps, "eta",
        SamplerChoices.takesEta(method) ? eta : null, "seed", seed, "class", className, "guidance", guidance);
  }

  /** A number as a person writes it and {@code Double.parseDouble} reads it back exactly: 3, 2.5, 0.05. */
  static String plain(double value) {
    return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
  }
}
