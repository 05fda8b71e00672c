package org.diffusiondepot.serve;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import org.diffusiondepot.runtime.UserError;

/**
 * Every path of the server, and how failures become answers: bad input the user can correct (a
 * {@link UserError}) is 400 with its message, an {@link HttpError} its own status, anything else
 * a 500 whose stack trace goes to the server's log.
 * <pre>
 *   GET  /                          the list of models (index.html)
 *   GET  /models/ID                 a model's page (model.html, which asks /api/models/ID)
 *   GET  /static/NAME               the page's CSS and JavaScript
 *   /api/models...                  {@link ModelsApi}
 *   /api/jobs/ID...                 {@link JobsApi}
 * </pre>
 */
final class Routes implements HttpHandler {
  private final Models models;
  private final ModelsApi modelsApi;
  private final JobsApi jobsApi;
  private final StaticFiles files = new StaticFiles();
  private final PrintWriter log;

  Routes(Models models, Jobs jobs, ServerOptions options, PrintWriter log) {
    this.models = models;
    this.modelsApi = new ModelsApi(models, jobs, options);
    this.jobsApi = new JobsApi(jobs, models);
    this.log = log;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try {
      route(exchange, segments(exchange.getRequestURI().getPath()));
    } catch (HttpError e) {
      if (e.status() == 405) {
        exchange.getResponseHeaders().set("Allow", e.getMessage().replaceAll(".*: ", ""));
      }
      Responses.error(exchange, e.status(), e.getMessage());
    } catch (UserError e) {
      Responses.error(exchange, 400, e.getMessage());
    } catch (IOException e) {
      // the page went away mid-answer: nothing left to tell it
      exchange.close();
    } catch (RuntimeException e) {
      log.println("depot-serve: " + exchange.getRequestMethod() + " " + exchange.getRequestURI() + " failed:");
      e.printStackTrace(log);
      Responses.error(exchange, 500, "the server failed (" + e + "); its log has the details");
    }
  }

  private void route(HttpExchange exchange, List<String> path) throws IOException {
    String top = path.isEmpty() ? "" : path.get(0);
    switch (top) {
      case "" -> {
        require(exchange, "GET", "HEAD");
        files.serve(exchange, "index.html");
      }
      case "models" -> {
        require(exchange, "GET", "HEAD");
        if (path.size() != 2 || !models.contains(path.get(1))) {
          throw HttpError.notFound("model " + String.join("/", path.subList(1, path.size())));
        }
        files.serve(exchange, "model.html");
      }
      case "static", "favicon.svg" -> {
        require(exchange, "GET", "HEAD");
        files.serve(exchange, top.equals("static") && path.size() == 2 ? path.get(1) : top);
      }
      case "api" -> {
        String area = path.size() > 1 ? path.get(1) : "";
        if (area.equals("models")) {
          modelsApi.handle(exchange, path.subList(2, path.size()));
        } else if (area.equals("jobs") && path.size() > 2) {
          jobsApi.handle(exchange, path.get(2), path.subList(3, path.size()));
        } else {
          throw HttpError.notFound(exchange.getRequestURI().getPath());
        }
      }
      default -> throw HttpError.notFound(exchange.getRequestURI().getPath());
    }
  }

  /** The method must be one of {@code allowed}, or the answer is 405. */
  static void require(HttpExchange exchange, String... allowed) {
    if (!Arrays.asList(allowed).contains(exchange.getRequestMethod())) {
      throw new HttpError(405, exchange.getRequestMethod() + " is not allowed here; use: "
          + String.join(", ", allowed));
    }
  }

  /** "/api/jobs/x/" to [api, jobs, x]. */
  static List<String> segments(String path) {
    return Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).toList();
  }
}
