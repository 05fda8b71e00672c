package org.diffusiondepot.serve;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The server's JSON answers, written by Gson (the project's JSON library, also behind TF_CONFIG).
 * The server reads no JSON: requests are HTML forms.
 */
final class Json {
  private static final Gson GSON = new GsonBuilder().serializeNulls().create();

  private Json() {}

  /** An ordered object from alternating keys and values; null values are written as null. */
  static Map<String, Object> object(Object... keysAndValues) {
    if (keysAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("keys and values come in pairs, got " + keysAndValues.length + " items");
    }
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      map.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return map;
  }

  /**
   * Maps, lists, strings, numbers, booleans and nulls as JSON. Null values are written, since the
   * page reads them as "not set"; '<' is escaped (Gson's default), so a string embedded in a
   * script element can never close it; NaN and infinities are refused, JSON has no form for them.
   */
  static String write(Object value) {
    return GSON.toJson(value);
  }
}
