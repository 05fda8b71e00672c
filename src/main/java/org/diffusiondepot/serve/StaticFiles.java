package org.diffusiondepot.serve;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The page's HTML, CSS and JavaScript, served from the jar (resources beside this class): no
 * front-end build, no files on disk. Only the names listed here exist, so no path reaches
 * anything else.
 */
final class StaticFiles {
  private static final Map<String, String> TYPES = Map.of(
      "index.html", "text/html; charset=utf-8",
      "model.html", "text/html; charset=utf-8",
      "depot.css", "text/css; charset=utf-8",
      "index.js", "text/javascript; charset=utf-8",
      "model.js", "text/javascript; charset=utf-8",
      "mask-painter.js", "text/javascript; charset=utf-8",
      "results.js", "text/javascript; charset=utf-8",
      "favicon.svg", "image/svg+xml");
  private final Map<String, byte[]> cache = new ConcurrentHashMap<>();

  boolean exists(String name) {
    return TYPES.containsKey(name);
  }

  void serve(HttpExchange exchange, String name) throws IOException {
    if (!exists(name)) {
      throw HttpError.notFound("/static/" + name);
    }
    Responses.bytes(exchange, 200, TYPES.get(name), cache.computeIfAbsent(name, StaticFiles::load));
  }

  private static byte[] load(String name) {
    try (InputStream in = StaticFiles.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("resource " + name + " is missing from the jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
