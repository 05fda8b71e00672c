package org.diffusiondepot.serve;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.diffusiondepot.sampler.SamplingException;

/**
 * The fields of a submitted form ({@code application/x-www-form-urlencoded}, what the page's
 * {@code URLSearchParams} sends). Uploaded files arrive as data URLs, so the server needs no
 * multipart parser. Every problem is a {@link SamplingException} that names the field as the page
 * labels it.
 */
final class Form {
  private final Map<String, String> fields;

  private Form(Map<String, String> fields) {
    this.fields = fields;
  }

  static Form parse(String body) {
    Map<String, String> fields = new HashMap<>();
    for (String pair : body.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String key = decode(eq < 0 ? pair : pair.substring(0, eq));
      String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
      fields.put(key, value);
    }
    return new Form(fields);
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new SamplingException("the form is not URL-encoded: " + e.getMessage());
    }
  }

  /** The trimmed value, or null when the field is absent or blank. */
  String text(String name) {
    String value = fields.get(name);
    return value == null || value.isBlank() ? null : value.strip();
  }

  int integer(String name, String label, int fallback) {
    String value = text(name);
    if (value == null) {
      return fallback;
    }
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new SamplingException(label + " must be a whole number, got '" + value + "'");
    }
  }

  /** A whole number, or null when blank. */
  Long wholeNumber(String name, String label) {
    String value = text(name);
    if (value == null) {
      return null;
    }
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new SamplingException(label + " must be a whole number, got '" + value + "'");
    }
  }

  /** A finite number, or null when blank. */
  Double number(String name, String label) {
    String value = text(name);
    if (value == null) {
      return null;
    }
    try {
      double d = Double.parseDouble(value);
      if (Double.isFinite(d)) {
        return d;
      }
    } catch (NumberFormatException e) {
      // the message below says what was expected
    }
    throw new SamplingException(label + " must be a number, got '" + value + "'");
  }

  /**
   * The bytes of a file field sent as a data URL ({@code data:TYPE;base64,...}), or null when the
   * field is absent. The type is not trusted: the image decoder decides what the bytes are.
   */
  byte[] file(String name, String label) {
    String value = fields.get(name);
    if (value == null || value.isEmpty()) {
      return null;
    }
    int comma = value.indexOf(',');
    if (!value.startsWith("data:") || comma < 0 || !value.substring(0, comma).endsWith(";base64")) {
      throw new SamplingException(label + " did not arrive as a base64 data URL");
    }
    try {
      return Base64.getDecoder().decode(value.substring(comma + 1));
    } catch (IllegalArgumentException e) {
      throw new SamplingException(label + " is not valid base64: " + e.getMessage());
    }
  }
}
