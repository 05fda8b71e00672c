package org.diffusiondepot.eval;

import java.nio.file.Path;
import org.diffusiondepot.runtime.UserError;

/**
 * The frozen Inception graph that FID and KID need is not where the user said. Unchecked and of
 * its own type, so an evaluation can report it and still compute the metrics that do not need it.
 */
public final class MissingInceptionGraphException extends UserError {
  private static final long serialVersionUID = 1L;
  private final transient Path expected;

  public MissingInceptionGraphException(Path expected) {
    super(message(expected));
    this.expected = expected;
  }

  /** Where the graph file was looked for. */
  public Path expected() {
    return expected;
  }

  private static String message(Path expected) {
    return "FID and KID need the Inception graph " + InceptionFeatures.GRAPH_FILE + ", which is not at " + expected
        + ". Download " + InceptionFeatures.DOWNLOAD_URL + " (about 90 MB; the graph TTUR's fid.py and the FID "
        + "literature use), extract it with 'tar -xzf inception-2015-12-05.tgz " + InceptionFeatures.GRAPH_FILE
        + "' and put the file at " + expected + ". Without it, SWD, PSNR, SSIM and per-class accuracy still run.";
  }
}
