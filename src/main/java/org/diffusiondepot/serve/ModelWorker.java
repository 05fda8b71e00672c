package org.diffusiondepot.serve;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Consumer;

/**
 * One model's queue: requests wait in arrival order and one thread runs them one at a time (a
 * model's sampling already uses every core, and one TensorFlow session per model keeps memory
 * flat). Each waiting job knows its place, renumbered whenever the line moves.
 */
final class ModelWorker implements AutoCloseable {
  private final String modelId;
  private final int limit;
  private final Consumer<Job> runner;
  private final Deque<Job> waiting = new ArrayDeque<>();
  private final Thread thread;
  private Job running;
  private boolean closed;

  /**
   * @param limit how many jobs may wait (besides the running one) before new ones are refused
   * @param runner runs one job to its end, recording the outcome in the job
   */
  ModelWorker(String modelId, int limit, Consumer<Job> runner) {
    this.modelId = modelId;
    this.limit = limit;
    this.runner = runner;
    this.thread = new Thread(this::loop, "depot-serve-" + modelId);
    thread.setDaemon(true);
    thread.start();
  }

  synchronized void submit(Job job) {
    if (closed) {
      throw new HttpError(503, "the server is shutting down");
    }
    if (waiting.size() >= limit) {
      throw new HttpError(503, "the queue of " + modelId + " is full (" + limit + " waiting); try again "
          + "in a moment");
    }
    waiting.addLast(job);
    renumber();
    notifyAll();
  }

  /** Drops a waiting job at once; asks a running one to stop at its next step. */
  void cancel(Job job) {
    synchronized (this) {
      if (waiting.remove(job)) {
        job.cancelled();
        renumber();
        return;
      }
    }
    job.requestCancel();
  }

  synchronized int waitingCount() {
    return waiting.size();
  }

  synchronized boolean busy() {
    return running != null;
  }

  private void loop() {
    while (true) {
      Job job;
      synchronized (this) {
        while (waiting.isEmpty() && !closed) {
          try {
            wait();
          } catch (InterruptedException e) {
            return;
          }
        }
        if (closed) {
          return;
        }
        job = waiting.removeFirst();
        running = job;
        renumber();
      }
      try {
        runner.accept(job);
      } finally {
        synchronized (this) {
          running = null;
        }
      }
    }
  }

  private void renumber() {
    int place = 1;
    for (Job job : waiting) {
      job.queuedAt(place++);
    }
  }

  /** Cancels everything and waits briefly for the running chain to stop. */
  @Override
  public void close() {
    Job current;
    synchronized (this) {
      closed = true;
      waiting.forEach(Job::cancelled);
      waiting.clear();
      current = running;
      notifyAll();
    }
    if (current != null) {
      current.requestCancel();
    }
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
