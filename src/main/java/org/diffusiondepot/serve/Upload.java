package org.diffusiondepot.serve;

import java.util.Locale;

/**
 * A file the user uploaded: its name (as the browser gave it, reduced to a safe file name) and its
 * bytes, kept so that the page can offer it back for the equivalent command line.
 */
record Upload(String name, byte[] bytes) {
  Upload {
    name = safeName(name);
  }

  /**
   * The last path element, with anything but letters, digits, dot, dash and underscore replaced,
   * so that the name can be written to a folder and quoted in a command line safely.
   */
  static String safeName(String name) {
    String base = name == null ? "" : name.replace('\\', '/');
    base = base.substring(base.lastIndexOf('/') + 1);
    String safe = base.replaceAll("[^A-Za-z0-9._-]", "_").replaceAll("^\\.+", "");
    return safe.isEmpty() ? "upload.png" : safe.length() > 80 ? safe.substring(safe.length() - 80) : safe;
  }

  /** The content type to serve the bytes back with, from the name (the bytes were checked as images). */
  String contentType() {
    String lower = name.toLowerCase(Locale.ROOT);
    return lower.endsWith(".jpg") || lower.endsWith(".jpeg") ? "image/jpeg"
        : lower.endsWith(".png") ? "image/png" : "application/octet-stream";
  }
}
