package org.diffusiondepot.serve;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.util.List;

/**
 * The endpoints under {@code /api/models}: the list, one model's card as its page needs it, and
 * submitting a request ({@code POST /api/models/ID/jobs}), checked in full before it is queued.
 */
final class ModelsApi {
  /** Largest request body: an uploaded photo as base64 (4/3 of its size) and its mask. */
  static final int MAX_BODY = 32 * 1024 * 1024;

  private final Models models;
  private final Jobs jobs;
  private final ServerOptions options;

  ModelsApi(Models models, Jobs jobs, ServerOptions options) {
    this.models = models;
    this.jobs = jobs;
    this.options = options;
  }

  /** {@code rest}: the path segments after {@code /api/models}. */
  void handle(HttpExchange exchange, List<String> rest) throws IOException {
    if (rest.isEmpty()) {
      Routes.require(exchange, "GET", "HEAD");
      Responses.json(exchange, 200, models.all().stream().map(m -> m.toJson(options)).toList());
      return;
    }
    ServedModel model = models.get(rest.get(0));
    if (rest.size() == 1) {
      Routes.require(exchange, "GET", "HEAD");
      Responses.json(exchange, 200, model.toJson(options));
    } else if (rest.size() == 2 && rest.get(1).equals("jobs")) {
      Routes.require(exchange, "POST");
      submit(exchange, model);
    } else {
      throw HttpError.notFound(exchange.getRequestURI().getPath());
    }
  }

  private void submit(HttpExchange exchange, ServedModel model) throws IOException {
    String type = exchange.getRequestHeaders().getFirst("Content-Type");
    if (type != null && !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
      // a multipart or JSON body would parse as no fields at all and run with every default
      throw new HttpError(415, "send the request as application/x-www-form-urlencoded (e.g. curl --data "
          + "'num=4&sampler=ddim&steps=50'), not " + type);
    }
    Form form = Form.parse(Responses.body(exchange, MAX_BODY));
    JobRequest request = RequestParser.parse(form, model.model(), options.batch(), options.maxImages());
    List<String> command = ReproCommand.arguments(model.directory(), request, options.batch());
    Job job = new Job(jobs.newId(), model.id(), request, command);
    model.worker().submit(job);
    jobs.add(job);
    exchange.getResponseHeaders().set("Location", "/api/jobs/" + job.id());
    Responses.json(exchange, 202, job.toJson());
  }
}
