package org.diffusiondepot.runtime;

import com.google.common.math.Quantiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.diffusiondepot.runtime.KernelChoices.Kernels;

/**
 * One timing run of the kernel tuners (tools/depot-tune-sampler, tools/depot tune-kernels): a fresh
 * JVM on this class path with TF_ENABLE_ONEDNN_OPTS set, because TensorFlow picks its kernels once
 * per process; and the order of the kernel sets per round, alternating so that a machine that
 * gets busier slows both alike.
 */
public final class KernelTrial {
  private KernelTrial() {}

  /** One timing of a kernel set, each in a fresh process ({@link #run}): seconds per step. */
  @FunctionalInterface
  public interface Timing {
    double seconds(Kernels kernels) throws IOException, InterruptedException;
  }

  /** Told of each timing as it finishes (round from 1), to show progress. */
  @FunctionalInterface
  public interface Progress {
    void timed(int round, Kernels kernels, double seconds);
  }

  /** Each kernel set's median time over the rounds. */
  public record Comparison(double eigen, double onednn) {
    public Kernels faster() {
      return onednn < eigen ? Kernels.ONEDNN : Kernels.EIGEN;
    }

    /** How many times as fast the faster set is. */
    public double speedup() {
      return Math.max(eigen, onednn) / Math.min(eigen, onednn);
    }
  }

  /** Times both kernel sets {@code rounds} times in {@link #order}, and takes each one's median. */
  public static Comparison compare(int rounds, Timing timing, Progress progress)
      throws IOException, InterruptedException {
    Map<Kernels, List<Double>> times = new EnumMap<>(Kernels.class);
    for (int round = 0; round < rounds; round++) {
      for (Kernels kernels : order(round)) {
        double seconds = timing.seconds(kernels);
        times.computeIfAbsent(kernels, k -> new ArrayList<>()).add(seconds);
        progress.timed(round + 1, kernels, seconds);
      }
    }
    return new Comparison(Quantiles.median().compute(times.get(Kernels.EIGEN)),
        Quantiles.median().compute(times.get(Kernels.ONEDNN)));
  }

  /** The kernel sets in the order round {@code round} (from 0) runs them: Eigen first, then alternating. */
  static List<Kernels> order(int round) {
    List<Kernels> order = new ArrayList<>(Arrays.asList(Kernels.values()));
    if (round % 2 == 1) {
      Collections.reverse(order);
    }
    return order;
  }

  /** A child's exit status, its stdout, and the last 12 lines of its stdout and stderr. */
  public record Outcome(int exitCode, String stdout, String tail) {
    /** A tuner's error when the child failed or printed no result: "WHAT failed (exit N):" and the last lines. */
    public String failure(String what) {
      return what + " failed (exit " + exitCode + "):\n" + tail;
    }
  }

  /**
   * Runs {@code mainClass args} in a fresh JVM (the same java, this class path, -Xss4m) with
   * {@code kernels}, and waits for it.
   */
  public static Outcome run(Kernels kernels, String mainClass, List<String> args)
      throws IOException, InterruptedException {
    String java = ProcessHandle.current().info().command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    List<String> command = new ArrayList<>(List.of(java, "-Xss4m", "-cp", System.getProperty("java.class.path"),
        mainClass));
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().put(KernelChoices.TENSORFLOW_VARIABLE, kernels.variableValue());
    builder.environment().remove(ActiveKernels.RECORDED_VARIABLE);
    builder.environment().putIfAbsent("TF_CPP_MIN_LOG_LEVEL", "2");
    Process process = builder.start();
    process.getOutputStream().close();
    CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
    String stdout = readAll(process.getInputStream());
    int code = process.waitFor();
    List<String> lines = (stdout + err.join()).lines().toList();
    return new Outcome(code, stdout, String.join("\n", lines.subList(Math.max(0, lines.size() - 12), lines.size())));
  }

  private static String readAll(InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }
}
