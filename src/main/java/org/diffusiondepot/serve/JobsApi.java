package org.diffusiondepot.serve;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.util.List;

/**
 * The endpoints under {@code /api/jobs/ID}: the job's state, its event stream, cancel, and its
 * images (preview, samples, panels, the grid) and uploads.
 */
final class JobsApi {
  private final Jobs jobs;
  private final Models models;
  private final EventStream events = new EventStream();

  JobsApi(Jobs jobs, Models models) {
    this.jobs = jobs;
    this.models = models;
  }

  /** {@code rest}: the path segments after {@code /api/jobs/ID}. */
  void handle(HttpExchange exchange, String id, List<String> rest) throws IOException {
    Job job = jobs.get(id);
    if (job == null) {
      throw HttpError.notFound("job " + id + " (finished jobs are kept for an hour)");
    }
    String first = rest.isEmpty() ? "" : rest.get(0);
    if (first.equals("cancel")) {
      Routes.require(exchange, "POST");
      models.get(job.modelId()).worker().cancel(job);
      Responses.json(exchange, 200, job.toJson());
      return;
    }
    if (first.equals("events")) {
      Routes.require(exchange, "GET");
      events.serve(exchange, job);
      return;
    }
    Routes.require(exchange, "GET", "HEAD");
    switch (first) {
      case "" -> Responses.json(exchange, 200, job.toJson());
      case "preview.png" -> {
        byte[] preview = job.preview();
        if (preview == null) {
          throw HttpError.notFound("a preview of job " + id + " (none yet)");
        }
        Responses.png(exchange, preview, "preview.png");
      }
      case "grid.png" -> Responses.png(exchange, result(job).grid(), "samples.png");
      case "samples" -> {
        JobResult result = result(job);
        int i = index(rest, 1, ".png", result.count(), 2);
        Responses.png(exchange, result.samples().get(i), String.format("sample-%04d.png", i));
      }
      case "panels" -> {
        JobResult result = result(job);
        int row = index(rest, 1, "", result.count(), 3);
        int column = index(rest, 2, ".png", result.columns().size(), 3);
        Responses.png(exchange, result.tiles().get(row).get(column), "panel-" + row + "-" + column + ".png");
      }
      case "uploads" -> {
        Upload upload = rest.size() == 2 ? job.request().inputs().upload(rest.get(1)) : null;
        if (upload == null) {
          throw HttpError.notFound("upload " + String.join("/", rest.subList(1, rest.size())) + " of job " + id);
        }
        exchange.getResponseHeaders().set("Content-Disposition", "attachment; filename=\"" + upload.name() + "\"");
        Responses.bytes(exchange, 200, upload.contentType(), upload.bytes());
      }
      default -> throw HttpError.notFound(exchange.getRequestURI().getPath());
    }
  }

  private static JobResult result(Job job) {
    JobResult result = job.result();
    if (result == null) {
      throw HttpError.notFound("images of job " + job.id() + " (it is " + job.state().label() + ")");
    }
    return result;
  }

  /** The number at {@code rest[at]} (then {@code suffix}) of a path of {@code length} segments, in 0..size-1, or 404. */
  private static int index(List<String> rest, int at, String suffix, int size, int length) {
    String part = rest.size() == length ? rest.get(at) : "";
    if (part.isEmpty() || !part.endsWith(suffix)) {
      throw HttpError.notFound("image " + part);
    }
    try {
      int i = Integer.parseInt(part.substring(0, part.length() - suffix.length()));
      if (i >= 0 && i < size) {
        return i;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw HttpError.notFound("image " + part);
  }
}
