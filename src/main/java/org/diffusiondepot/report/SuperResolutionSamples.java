package org.diffusiondepot.report;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.diffusiondepot.data.Batch;
import org.diffusiondepot.task.Degradation;
import org.diffusiondepot.proto.ModelCard;
import org.diffusiondepot.proto.SuperResolutionConfig;
import org.diffusiondepot.sampler.Samples;

/**
 * Super-resolution samples: validation images degraded as in training, then upscaled by the model
 * and by bicubic interpolation. Rendering is {@link SuperResolutionPanels}; this class only
 * gathers the three images. Whether the sampler can upscale is found out by asking it: it takes
 * the low-res image at its own side and must return images of the card's image size; anything
 * else (an error, or latents instead of pixels) skips the panels with a note.
 */
final class SuperResolutionSamples {
  static final int IMAGES = 4;

  /** A degraded image: the low-res input and its bicubic upscale to the output size. */
  record LowRes(float[] lowRes, int lowSize, float[] bicubic) {}

  void render(ReportContext ctx, HtmlPage page) throws IOException {
    ModelCard card = ctx.card;
    ExampleImages examples = ctx.examples();
    if (examples.note() != null) {
      page.note(examples.note());
    }
    int size = card.getImageSize();
    int channels = card.getImageChannels();
    int values = size * size * channels;
    Batch images = examples.validation(Math.min(IMAGES, ctx.options.samples()));
    List<SuperResolutionPanels.Row> rows = new ArrayList<>();
    int lowSize = 0;
    for (int i = 0; i < images.size(); i++) {
      float[] hr = Arrays.copyOfRange(images.images(), i * values, (i + 1) * values);
      LowRes low = degrade(ctx, hr, ctx.options.seed() + i);
      lowSize = low.lowSize();
      ctx.progress("super-resolution of validation image %d of %d", i + 1, images.size());
      Samples out;
      try {
        out = ctx.model().sampling().count(1).ddim(Math.min(ctx.options.steps(), card.getDiffusion().getTimesteps()))
            .eta(TaskSampling.ETA).seed(ctx.options.seed() + i).lowRes(low.lowRes()).run();
      } catch (RuntimeException e) {
        page.note("Skipped: the sampler cannot upscale with this model yet (" + e.getMessage() + ").");
        return;
      }
      if (out.size() != size || out.channels() != channels) {
        page.note("Skipped: the sampler returns " + out.size() + "x" + out.size() + "x" + out.channels()
            + " latents for this model, not " + size + "px images (no first-stage decoding yet).");
        return;
      }
      rows.add(new SuperResolutionPanels.Row(low.lowRes(), low.bicubic(), out.sample(0)));
    }
    page.figure(ctx.figures.image("samples-super-resolution",
        SuperResolutionPanels.render(rows, lowSize, size, channels)), rows.size() + " validation images ("
        + examples.description() + "), degraded as in training, " + SampleGridsSection.method(ctx) + ".");
  }

  /** The low-res version of {@code hr} as training makes it (blur, bicubic downscale, noise). */
  static LowRes degrade(ReportContext ctx, float[] hr, long seed) {
    ModelCard card = ctx.card;
    int size = card.getImageSize();
    int channels = card.getImageChannels();
    SuperResolutionConfig sr = ctx.config != null ? ctx.config.getSuperResolution()
        : SuperResolutionConfig.getDefaultInstance();
    int downscale = sr.getDownscale() > 0 ? sr.getDownscale()
        : Math.max(1, size / Math.max(1, card.getLowResSize()));
    float[] low = new Degradation(downscale, sr.getBlurSigma(), sr.getNoiseStd()).apply(hr, size, channels, seed);
    int lowSize = size / downscale;
    float[] bicubic = Degradation.resize(low, lowSize, size, channels);
    for (int i = 0; i < bicubic.length; i++) {
      bicubic[i] = Math.max(-1f, Math.min(1f, bicubic[i]));  // bicubic overshoots at edges
    }
    return new LowRes(low, lowSize, bicubic);
  }
}
