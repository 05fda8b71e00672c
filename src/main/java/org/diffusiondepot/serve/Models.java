package org.diffusiondepot.serve;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.diffusiondepot.sampler.DepotModel;

/**
 * The loaded exports by page id: the export folder's name reduced to URL-safe characters, with
 * {@code -2}, {@code -3} ... where two folders share a name.
 */
final class Models implements AutoCloseable {
  private final Map<String, ServedModel> byId = new LinkedHashMap<>();

  /** Loads every export, or none: a failure closes those already loaded and is rethrown. */
  static Models load(List<Path> exports, ServerOptions options, PrintWriter log) throws IOException {
    Models models = new Models();
    try {
      for (Path export : exports) {
        String id = models.freeId(export);
        DepotModel model = DepotModel.load(export);
        models.byId.put(id, new ServedModel(id, model, options, log));
      }
    } catch (IOException | RuntimeException e) {
      models.close();
      throw e;
    }
    return models;
  }

  private String freeId(Path export) {
    Path name = export.toAbsolutePath().normalize().getFileName();
    String base = name == null ? "model" : name.toString().replaceAll("[^A-Za-z0-9._-]", "-");
    base = base.isEmpty() || base.startsWith(".") ? "model" + base : base;
    String id = base;
    for (int k = 2; byId.containsKey(id); k++) {
      id = base + "-" + k;
    }
    return id;
  }

  ServedModel get(String id) {
    ServedModel model = byId.get(id);
    if (model == null) {
      throw HttpError.notFound("model " + id);
    }
    return model;
  }

  boolean contains(String id) {
    return byId.containsKey(id);
  }

  Collection<ServedModel> all() {
    return byId.values();
  }

  @Override
  public void close() {
    byId.values().forEach(ServedModel::close);
  }
}
