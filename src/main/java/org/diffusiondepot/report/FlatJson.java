package org.diffusiondepot.report;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads a flat JSON object such as metrics.json: keys in file order mapped to Double, String,
 * Boolean or null. A nested object or array is kept as its JSON text, so an unexpected shape still
 * shows up in the page instead of failing it.
 */
final class FlatJson {
  private final String text;
  private int pos;

  private FlatJson(String text) {
    this.text = text;
  }

  static Map<String, Object> parse(String text) {
    FlatJson p = new FlatJson(text);
    Map<String, Object> out = p.object();
    p.skipSpace();
    if (p.pos != text.length()) {
      throw p.error("unexpected text after the object");
    }
    return out;
  }

  private Map<String, Object> object() {
    skipSpace();
    expect('{');
    Map<String, Object> out = new LinkedHashMap<>();
    skipSpace();
    if (peek() == '}') {
      pos++;
      return out;
    }
    while (true) {
      skipSpace();
      String key = string();
      skipSpace();
      expect(':');
      skipSpace();
      out.put(key, value());
      skipSpace();
      char c = next();
      if (c == '}') {
        return out;
      }
      if (c != ',') {
        throw error("expected ',' or '}'");
      }
    }
  }

  private Object value() {
    char c = peek();
    if (c == '"') {
      return string();
    }
    if (c == '{' || c == '[') {
      int start = pos;
      skipNested();
      return text.substring(start, pos);
    }
    if (text.startsWith("true", pos)) {
      pos += 4;
      return Boolean.TRUE;
    }
    if (text.startsWith("false", pos)) {
      pos += 5;
      return Boolean.FALSE;
    }
    if (text.startsWith("null", pos)) {
      pos += 4;
      return null;
    }
    int start = pos;
    while (pos < text.length() && "+-0123456789.eE".indexOf(text.charAt(pos)) >= 0) {
      pos++;
    }
    // NaN and Infinity are not JSON, but Java's writers emit them; accept them as numbers.
    for (String word : new String[] {"NaN", "Infinity", "-Infinity"}) {
      if (pos == start || (pos == start + 1 && text.charAt(start) == '-')) {
        if (text.startsWith(word, start)) {
          pos = start + word.length();
        }
      }
    }
    try {
      return Double.parseDouble(text.substring(start, pos));
    } catch (NumberFormatException e) {
      pos = start;
      throw error("expected a value");
    }
  }

  private String string() {
    expect('"');
    StringBuilder sb = new StringBuilder();
    while (true) {
      char c = next();
      if (c == '"') {
        return sb.toString();
      }
      if (c == '\\') {
        char e = next();
        switch (e) {
          case 'n' -> sb.append('\n');
          case 't' -> sb.append('\t');
          case 'r' -> sb.append('\r');
          case 'b' -> sb.append('\b');
          case 'f' -> sb.append('\f');
          case 'u' -> {
            if (pos + 4 > text.length()) {
              throw error("bad \\u escape");
            }
            sb.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
            pos += 4;
          }
          default -> sb.append(e);
        }
      } else {
        sb.append(c);
      }
    }
  }

  /** Skips a nested object or array, strings included. */
  private void skipNested() {
    int depth = 0;
    do {
      char c = next();
      if (c == '"') {
        pos--;
        string();
      } else if (c == '{' || c == '[') {
        depth++;
      } else if (c == '}' || c == ']') {
        depth--;
      }
    } while (depth > 0);
  }

  private void skipSpace() {
    while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
      pos++;
    }
  }

  private char peek() {
    if (pos >= text.length()) {
      throw error("unexpected end");
    }
    return text.charAt(pos);
  }

  private char next() {
    char c = peek();
    pos++;
    return c;
  }

  private void expect(char c) {
    if (peek() != c) {
      throw error("expected '" + c + "'");
    }
    pos++;
  }

  private IllegalArgumentException error(String what) {
    return new IllegalArgumentException("not a flat JSON object: " + what + " at character " + pos);
  }
}
