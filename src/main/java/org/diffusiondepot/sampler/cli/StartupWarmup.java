package org.diffusiondepot.sampler.cli;

/**
 * Starts the slow one-time initialisations of a sampling run on background threads as soon as
 * the JVM is up, so that they overlap with argument parsing, reading the model card and each
 * other instead of running one after another on the main thread: loading TensorFlow's native
 * library (about 0.6 s of a 2.7 s cold start, measured by tools/bench-cold-start) and ImageIO's
 * plug-in registry, which the PNG writer needs at the end. The main thread later uses the same
 * classes; the JVM's class initialisation makes it wait for a warm-up still in progress and never
 * run one twice. Only the command-line entry point calls this: a library user's JVM is theirs.
 * {@code DEPOT_WARMUP=0} turns it off (to measure what it gives).
 */
final class StartupWarmup {
  private StartupWarmup() {}

  static void start() {
    if ("0".equals(System.getenv("DEPOT_WARMUP"))) {
      return;
    }
    daemon("tensorflow-native", () -> org.tensorflow.TensorFlow.version());
    daemon("imageio-registry", () -> javax.imageio.ImageIO.getImageWritersByFormatName("png").hasNext());
  }

  private static void daemon(String name, Runnable warmup) {
    Thread thread = new Thread(() -> {
      try {
        warmup.run();
      } catch (Throwable ignored) {
        // The main thread meets the same failure when it needs the class, and reports it there.
      }
    }, name);
    thread.setDaemon(true);
    thread.start();
  }
}
