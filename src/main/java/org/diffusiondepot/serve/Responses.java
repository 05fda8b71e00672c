package org.diffusiondepot.serve;

import com.sun.net.httpserver.HttpExchange;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Writing answers and reading request bodies, the same way for every endpoint. */
final class Responses {
  private Responses() {}

  static void json(HttpExchange exchange, int status, Object body) throws IOException {
    bytes(exchange, status, "application/json; charset=utf-8", Json.write(body).getBytes(StandardCharsets.UTF_8));
  }

  /** {@code {"error": message}}, which the page shows as it is. */
  static void error(HttpExchange exchange, int status, String message) throws IOException {
    json(exchange, status, Json.object("error", message));
  }

  static void bytes(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", contentType);
    // results change as jobs run: the page asks again rather than trusting a cache
    exchange.getResponseHeaders().set("Cache-Control", "no-store");
    exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
    boolean head = exchange.getRequestMethod().equals("HEAD");
    exchange.sendResponseHeaders(status, head ? -1 : body.length == 0 ? -1 : body.length);
    if (!head && body.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
    exchange.close();
  }

  /** A PNG offered for download under {@code fileName}. */
  static void png(HttpExchange exchange, byte[] png, String fileName) throws IOException {
    exchange.getResponseHeaders().set("Content-Disposition", "inline; filename=\"" + fileName + "\"");
    bytes(exchange, 200, "image/png", png);
  }

  /** The body as text, refusing more than {@code limit} bytes (an upload far larger than any image). */
  static String body(HttpExchange exchange, int limit) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[64 * 1024];
    try (InputStream in = exchange.getRequestBody()) {
      for (int n; (n = in.read(buffer)) > 0; ) {
        if (out.size() + n > limit) {
          throw new HttpError(413, "the upload is larger than " + limit / (1024 * 1024) + " MB; choose a smaller "
              + "image");
        }
        out.write(buffer, 0, n);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
