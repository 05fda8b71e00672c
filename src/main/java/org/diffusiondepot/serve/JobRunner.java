package org.diffusiondepot.serve;

import java.io.PrintWriter;
import org.diffusiondepot.image.ImageGrid;
import org.diffusiondepot.runtime.UserError;
import org.diffusiondepot.sampler.DepotModel;
import org.diffusiondepot.sampler.Samples;
import org.diffusiondepot.sampler.Sampling;
import org.diffusiondepot.sampler.StepListener;
import org.diffusiondepot.task.DiffusionTask;

/**
 * Runs one job on its model's worker thread: the library call its request describes, with a step
 * listener that records progress, renders the predicted x_0 about twenty times per chain (and
 * after the first step), and
 * stops the chain when the job is cancelled.
 */
final class JobRunner {
  /** Previews per chain: often enough to watch the image form, rarely enough to cost nothing. */
  static final int PREVIEWS_PER_CHAIN = 20;

  private final DepotModel model;
  private final int batch;
  private final PrintWriter log;

  JobRunner(DepotModel model, int batch, PrintWriter log) {
    this.model = model;
    this.batch = batch;
    this.log = log;
  }

  void run(Job job) {
    if (job.cancelRequested()) {
      job.cancelled();
      return;
    }
    try {
      Sampling sampling = job.request().sampling(model, batch);
      int chain = sampling.chainLength();
      job.started(chain * sampling.chunks());
      Samples samples = sampling.run(listener(job, chain));
      job.finished(JobResult.of(samples, model.task(), job.request()));
    } catch (JobCancelledException e) {
      job.cancelled();
    } catch (UserError e) {
      // the request was checked on arrival; what is left is the library's word, e.g. a damaged export
      job.failed(e.getMessage());
    } catch (RuntimeException e) {
      log.println("depot-serve: job " + job.id() + " on " + job.modelId() + " failed:");
      e.printStackTrace(log);
      job.failed("the server failed while sampling (" + e + "); its log has the details");
    }
  }

  private StepListener listener(Job job, int chain) {
    int every = Math.max(1, Math.round(chain / (float) PREVIEWS_PER_CHAIN));
    DiffusionTask task = model.task();
    int[] done = {0};
    return (index, total, t, x, x0) -> {
      if (job.cancelRequested()) {
        throw new JobCancelledException();
      }
      done[0]++;
      // the first step too: a page should see something at once, even of a slow model
      boolean show = index == 0 || (index + 1) % every == 0 || index + 1 == total;
      job.progressed(done[0], show ? preview(task, x0) : null);
    };
  }

  /** The chunk's predicted x_0 as a grid (decoded to pixels for a latent model). */
  private static byte[] preview(DiffusionTask task, float[] x0) {
    int n = x0.length / (task.modelSize() * task.modelSize() * task.modelChannels());
    float[] images = task.toImages(x0, n);
    return Png.encode(ImageGrid.of(images, n, task.imageSize(), task.imageChannels(),
        (int) Math.ceil(Math.sqrt(n))));
  }
}
