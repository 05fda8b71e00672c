package org.diffusiondepot.serve;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.diffusiondepot.image.InputImages;
import org.diffusiondepot.sampler.DepotModel;
import org.diffusiondepot.sampler.Sampling;
import org.diffusiondepot.sampler.SamplingException;
import org.diffusiondepot.task.ClassConditionalTask;
import org.diffusiondepot.task.DiffusionTask;
import org.diffusiondepot.task.InpaintingTask;
import org.diffusiondepot.task.SuperResolutionTask;

/**
 * A submitted form to a {@link JobRequest}, checked completely before the request joins the queue,
 * so that a mistake is answered at once rather than after the requests ahead of it. The checks are
 * the command line's: the same library validates steps, eta and guidance, and uploads are read by
 * the same code as {@code --image}, {@code --mask} and {@code --low-res} ({@link Uploads}).
 * <p>
 * Fields: {@code num}, {@code sampler}, {@code steps}, {@code eta}, {@code seed} (blank: random),
 * {@code class} (a name, an index or "all"), {@code guidance}, and as data URLs {@code image} with
 * {@code imageName} and {@code mask} (inpainting), {@code lowRes} with {@code lowResName}
 * (super-resolution).
 */
final class RequestParser {
  static final int DEFAULT_NUM = 4;
  static final int DEFAULT_STEPS = 50;

  private RequestParser() {}

  static JobRequest parse(Form form, DepotModel model, int batch, int maxImages) {
    DiffusionTask task = model.task();
    int num = form.integer("num", "the number of images", DEFAULT_NUM);
    if (num < 1) {
      throw new SamplingException("the number of images must be at least 1, got " + num);
    }
    if (num > maxImages) {
      // before anything is sized by it (labels, one per image)
      throw new SamplingException("at most " + maxImages + " images per request, asked for " + num);
    }
    String samplerName = form.text("sampler");
    Sampling.Method method = samplerName == null ? Sampling.Method.DDIM : SamplerChoices.parse(samplerName);
    Integer steps = SamplerChoices.takesSteps(method) ? form.integer("steps", "steps", DEFAULT_STEPS) : null;
    Double etaField = form.number("eta", "eta");
    double eta = SamplerChoices.takesEta(method) && etaField != null ? etaField : 0.0;
    Long seedField = form.wholeNumber("seed", "the seed");
    long seed = seedField != null ? seedField : ThreadLocalRandom.current().nextInt(Integer.MAX_VALUE);
    String className = form.text("class");
    Double guidance = form.number("guidance", "guidance");

    List<String> notes = new ArrayList<>();
    int[] labels = null;
    if (className != null) {
      if (!(task instanceof ClassConditionalTask classes)) {
        throw new SamplingException("a class applies to class-conditional models; this one is " + kind(task));
      }
      labels = ClassPick.labels(className, ClassPick.names(classes), num);
    }
    TaskInputs inputs = new TaskInputs(labels, null, null, null, null, null, notes);
    Upload image = upload(form, "image", "imageName", "the image");
    Upload lowRes = upload(form, "lowRes", "lowResName", "the low-resolution image");
    byte[] mask = form.file("mask", "the mask");
    if (task instanceof InpaintingTask) {
      if (image == null) {
        throw new SamplingException("choose an image to fill (PNG or JPEG)");
      }
      Upload imageUpload = image.name().equals(Uploads.MASK_NAME) ? new Upload("image.png", image.bytes()) : image;
      if (mask == null) {
        Uploads.checkReadable(imageUpload);
        throw new SamplingException("paint the region to fill on the image");
      }
      Upload maskUpload = new Upload(Uploads.MASK_NAME, mask);
      InputImages.Inpainting read = Uploads.inpainting(imageUpload, maskUpload, task.imageSize(), task.imageChannels(),
          notes);
      inputs = new TaskInputs(null, imageUpload, maskUpload, read.image(), read.mask(), null, notes);
    } else if (image != null || mask != null) {
      throw new SamplingException("an image and a mask apply to inpainting models; this one is " + kind(task));
    }
    if (task instanceof SuperResolutionTask sr) {
      if (lowRes == null) {
        throw new SamplingException("choose a low-resolution image to upscale (PNG or JPEG, " + sr.lowResSize() + "x"
            + sr.lowResSize() + ")");
      }
      float[] pixels = Uploads.lowRes(lowRes, sr.lowResSize(), task.imageChannels(), notes);
      inputs = new TaskInputs(null, lowRes, null, null, null, pixels, notes);
    } else if (lowRes != null) {
      throw new SamplingException("a low-resolution image applies to super-resolution models; this one is "
          + kind(task));
    }

    JobRequest request = new JobRequest(new SampleSettings(num, method, steps, eta, seed, className, guidance), inputs);
    if (request.count() > maxImages) {
      throw new SamplingException("at most " + maxImages + " images per request, asked for " + request.count()
          + ("all".equals(className) ? " (" + num + " for each of " + labels.length / num + " classes)" : ""));
    }
    // The library's own checks (step range, eta, guidance for this model, the task's inputs), now
    // rather than when the request reaches the head of the queue.
    Sampling sampling = request.sampling(model, batch);
    sampling.sampler();
    task.predictor(model, guidance);
    task.forSampling(inputs.conditioning(), 0, 1);
    return request;
  }

  private static Upload upload(Form form, String field, String nameField, String label) {
    byte[] bytes = form.file(field, label);
    return bytes == null ? null : new Upload(form.text(nameField), bytes);
  }

  /** "class-conditional", as the page names tasks. */
  static String kind(DiffusionTask task) {
    return task.kind().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }
}
