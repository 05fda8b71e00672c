package org.diffusiondepot.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
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

  /** The kernel sets in the order round {@code round} (from 0) runs them: Eigen first, then alternating. */
  public static List<Kernels> order(int round) {
    List<Kernels> order = new ArrayList<>(Arrays.asList(Kernels.values()));
    if (round % 2 == 1) {
      Collections.reverse(order);
    }
    return order;
  }

  /** A child that failed: its exit status and the last lines of its output, to put in the tuner's error. */
  public record Failure(int exitCode, String tail) {}

  /** What a child printed on stdout, or why it failed. */
  public record Outcome(String stdout, Failure failure) {
    public boolean failed() {
      return failure != null;
    }
  }

  /**
   * Runs {@code mainClass args} in a fresh JVM (the same java, this class path, -Xss4m) with
   * {@code kernels}, and waits for it. A non-zero exit is a failure carrying the last 12 lines of
   * the child's stdout and stderr.
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
    if (code == 0) {
      return new Outcome(stdout, null);
    }
    List<String> lines = (stdout + err.join()).lines().toList();
    return new Outcome(stdout, new Failure(code,
        String.join("\n", lines.subList(Math.max(0, lines.size() - 12), lines.size()))));
  }

  private static String readAll(InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }
}
