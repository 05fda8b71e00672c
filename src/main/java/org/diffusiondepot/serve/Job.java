package org.diffusiondepot.serve;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One sampling request's life: queued (with its place in its model's queue), running (step of
 * total, the latest preview of the predicted x_0), then done, failed or cancelled. Every change
 * bumps a version that event streams wait on ({@link #awaitChange}), so a page sees each state
 * without polling. A cancel is a request: a queued job is dropped at once, a running one stops at
 * the chain's next step.
 */
final class Job {
  enum State {
    QUEUED, RUNNING, DONE, FAILED, CANCELLED;

    boolean finished() {
      return this == DONE || this == FAILED || this == CANCELLED;
    }

    String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final String id;
  private final String modelId;
  private final JobRequest request;
  private final List<String> command;
  private State state = State.QUEUED;
  private int position;
  private int step;
  private int total;
  private byte[] preview;
  private int previews;
  private String error;
  private JobResult result;
  private volatile boolean cancelRequested;
  private long version;
  private long finishedAt;

  Job(String id, String modelId, JobRequest request, List<String> command) {
    this.id = id;
    this.modelId = modelId;
    this.request = request;
    this.command = List.copyOf(command);
  }

  String id() {
    return id;
  }

  String modelId() {
    return modelId;
  }

  JobRequest request() {
    return request;
  }

  synchronized State state() {
    return state;
  }

  /** 1 for the next in line; 0 once running or finished. */
  synchronized void queuedAt(int place) {
    if (state == State.QUEUED && place != position) {
      position = place;
      changed();
    }
  }

  synchronized void started(int chainSteps) {
    state = State.RUNNING;
    position = 0;
    total = chainSteps;
    changed();
  }

  /** Progress after {@code done} network evaluations, with a new preview PNG or null to keep the last. */
  synchronized void progressed(int done, byte[] previewPng) {
    step = done;
    if (previewPng != null) {
      preview = previewPng;
      previews++;
    }
    changed();
  }

  synchronized void finished(JobResult images) {
    result = images;
    end(State.DONE);
  }

  synchronized void failed(String message) {
    error = message;
    end(State.FAILED);
  }

  synchronized void cancelled() {
    end(State.CANCELLED);
  }

  private void end(State last) {
    state = last;
    position = 0;
    finishedAt = System.currentTimeMillis();
    changed();
  }

  /** Asks a running chain to stop at its next step (the queue drops a waiting job itself). */
  synchronized void requestCancel() {
    if (!state.finished() && !cancelRequested) {
      cancelRequested = true;
      changed();
    }
  }

  boolean cancelRequested() {
    return cancelRequested;
  }

  synchronized byte[] preview() {
    return preview;
  }

  synchronized JobResult result() {
    return result;
  }

  /** When it finished, in epoch milliseconds; 0 while it has not. */
  synchronized long finishedAt() {
    return finishedAt;
  }

  synchronized long version() {
    return version;
  }

  /** Waits until the version differs from {@code seen} or the timeout passes; returns the version. */
  synchronized long awaitChange(long seen, long timeoutMillis) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    while (version == seen) {
      long left = deadline - System.currentTimeMillis();
      if (left <= 0) {
        break;
      }
      wait(left);
    }
    return version;
  }

  private void changed() {
    version++;
    notifyAll();
  }

  /** What the page shows; see the README's API table. */
  synchronized Map<String, Object> toJson() {
    return Json.object("id", id, "model", modelId, "state", state.label(), "position", position,
        "step", step, "total", total, "previews", previews, "cancelRequested", cancelRequested, "error", error,
        "notes", request.inputs().notes(), "settings", request.settings().toJson(),
        "uploads", uploads(), "command", ReproCommand.shell(command), "args", command,
        "result", result == null ? null : result.toJson());
  }

  private List<String> uploads() {
    TaskInputs in = request.inputs();
    return java.util.stream.Stream.of(in.image(), in.mask()).filter(java.util.Objects::nonNull).map(Upload::name)
        .toList();
  }
}
