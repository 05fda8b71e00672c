package example;

import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.diffusiondepot.sampler.DepotModel;
import org.diffusiondepot.sampler.Samples;

/**
 * Uses Diffusion Depot's sampler artifact from another project: its classes load from the
 * installed sampler jar, training code is not on the class path, and an export samples.
 * Arguments: [EXPORT_DIR OUT.png].
 */
public final class SamplerConsumer {
  public static void main(String[] args) throws Exception {
    System.out.println("DepotModel loaded from " + DepotModel.class.getProtectionDomain().getCodeSource().getLocation());
    try {
      Class.forName("org.diffusiondepot.train.TrainLoop");
      throw new AssertionError("training code is on the class path: the sampler artifact should not bring it");
    } catch (ClassNotFoundException expected) {
      System.out.println("training code absent, as it should be");
    }
    if (args.length == 2) {
      try (DepotModel model = DepotModel.load(Path.of(args[0]))) {
        Samples samples = model.sampling().count(4).ddim(10).seed(1).run();
        ImageIO.write(samples.grid(2), "png", Path.of(args[1]).toFile());
        System.out.printf("sampled %d images of %dpx from %s into %s%n", samples.count(), samples.size(), args[0],
            args[1]);
      }
    }
  }
}
