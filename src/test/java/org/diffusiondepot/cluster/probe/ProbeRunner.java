package org.diffusiondepot.cluster.probe;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Runs the data-parallel probes as separate JVMs on localhost, because TensorFlow's thread pools
 * and servers are per process: one thread per process is only honest with one process per worker,
 * and killing a worker needs a process to kill. Run it with {@code tools/cluster-probe [section...]},
 * sections {@code equivalence exchange throughput kill freeze} (all by default). Child logs go to a temp
 * directory that is printed.
 */
public final class ProbeRunner {
  private static final String PROBE = ReplicationProbe.class.getName();
  private static Path logs;

  private ProbeRunner() {}

  public static void main(String[] args) throws Exception {
    logs = Files.createTempDirectory("cluster-probe");
    System.out.println("child logs in " + logs);
    List<String> sections = args.length == 0 ? List.of("equivalence", "exchange", "throughput", "kill", "freeze") : List.of(args);
    for (String s : sections) {
      switch (s) {
        case "equivalence" -> equivalence();
        case "exchange" -> exchange();
        case "throughput" -> throughput();
        case "kill" -> kill(false);
        case "freeze" -> kill(true);
        default -> throw new IllegalArgumentException("unknown section " + s);
      }
    }
  }

  /** 2 workers x batch 8 for 3 steps against 1 process x batch 16: same weights? */
  static void equivalence() throws Exception {
    System.out.println("== equivalence: 3 Adam steps, 2 workers x batch 8 vs 1 process x batch 16");
    Path single = logs.resolve("w-single.bin");
    run("single", "single", "batch=16", "weights=" + single);
    int[] p = ports();
    Path c0 = logs.resolve("w-collective0.bin");
    Path c1 = logs.resolve("w-collective1.bin");
    Process w1 = start("collective-1", "collective", "task=1", "p0=" + p[0], "p1=" + p[1], "opTimeoutMs=60000",
        "weights=" + c1);
    run("collective-0", "collective", "task=0", "p0=" + p[0], "p1=" + p[1], "opTimeoutMs=60000", "weights=" + c0);
    finish(w1, "collective-1");
    for (boolean place : new boolean[] {false, true}) {
      p = ports();
      Path ig = logs.resolve("w-ingraph-" + place + ".bin");
      Process server = start("serve-1", "serve", "task=1", "p0=" + p[0], "p1=" + p[1]);
      run("ingraph-place" + place, "ingraph", "task=0", "p0=" + p[0], "p1=" + p[1], "opTimeoutMs=60000",
          "placeGradients=" + place, "weights=" + ig);
      server.destroyForcibly().waitFor();
      System.out.printf(Locale.ROOT, "in-graph (gradients pinned to towers: %s) vs single: relative difference %.2e%n",
          place, relativeDifference(ig, single));
    }
    System.out.printf(Locale.ROOT, "collective worker 0 vs single: relative difference %.2e%n", relativeDifference(c0, single));
    System.out.printf(Locale.ROOT, "collective worker 1 vs worker 0: relative difference %.2e%n", relativeDifference(c1, c0));
  }

  /** Time per gradient exchange of 1.6M and 37M floats (the tiny and the 128 px model). */
  static void exchange() throws Exception {
    System.out.println("== exchange: time per gradient exchange, 1 thread per process");
    for (int n : new int[] {1_600_000, 37_000_000}) {
      int reps = n > 10_000_000 ? 5 : 10;
      // recv_buf_max_chunk: TensorFlow's default (0) sends collective buffers in 4 KB chunks.
      for (String chunk : new String[] {"0", "-1"}) {
        int[] p = ports();
        String name = "exchange-c-" + n + "-chunk" + chunk;
        Process w1 = start(name + "-1", "exchange-collective", "task=1", "p0=" + p[0], "p1=" + p[1], "n=" + n,
            "reps=" + reps, "opTimeoutMs=120000", "recvBufMaxChunk=" + chunk);
        run(name + "-0", "exchange-collective", "task=0", "p0=" + p[0], "p1=" + p[1], "n=" + n, "reps=" + reps,
            "opTimeoutMs=120000", "recvBufMaxChunk=" + chunk);
        finish(w1, name + "-1");
      }
      int[] p = ports();
      p = ports();
      Process server = start("serve-1", "serve", "task=1", "p0=" + p[0], "p1=" + p[1]);
      run("exchange-ig-" + n, "exchange-ingraph", "task=0", "p0=" + p[0], "p1=" + p[1], "n=" + n, "reps=" + reps,
          "opTimeoutMs=120000");
      server.destroyForcibly().waitFor();
    }
  }

  /** Examples per second of a compute-bound MLP: 2 workers x 1 thread against 1 process x 1 thread. */
  static void throughput() throws Exception {
    System.out.println("== throughput: MLP 1024-2048-1024 (4.2M parameters), global batch 256, 1 thread per process");
    String[] model = {"in=1024", "hidden=2048", "out=1024", "steps=12"};
    double single = msPerStep(run("tp-single", concat(new String[] {"single", "batch=256"}, model)));
    int[] p = ports();
    Process w1 = start("tp-c1", concat(new String[] {"collective", "task=1", "p0=" + p[0], "p1=" + p[1], "batch=128",
        "opTimeoutMs=120000"}, model));
    double collective = msPerStep(run("tp-c0", concat(new String[] {"collective", "task=0", "p0=" + p[0],
        "p1=" + p[1], "batch=128", "opTimeoutMs=120000"}, model)));
    finish(w1, "tp-c1");
    p = ports();
    Process server = start("serve-1", "serve", "task=1", "p0=" + p[0], "p1=" + p[1]);
    double inGraph = msPerStep(run("tp-ig", concat(new String[] {"ingraph", "task=0", "p0=" + p[0], "p1=" + p[1],
        "batch=128", "placeGradients=true", "opTimeoutMs=120000"}, model)));
    server.destroyForcibly().waitFor();
    System.out.printf(Locale.ROOT, "single 1x1 thread: %.1f ms/step = %.0f examples/s%n", single, 256e3 / single);
    System.out.printf(Locale.ROOT, "collective 2x1 thread: %.1f ms/step = %.0f examples/s (x%.2f)%n", collective,
        256e3 / collective, single / collective);
    System.out.printf(Locale.ROOT, "in-graph 2x1 thread: %.1f ms/step = %.0f examples/s (x%.2f)%n", inGraph,
        256e3 / inGraph, single / inGraph);
  }

  /**
   * Kill worker 1 mid-training (SIGKILL: its sockets close at once, as when a process crashes)
   * or freeze it (SIGSTOP: sockets stay open and nothing answers, as when a machine hangs or the
   * network drops): what do worker 0 or the chief do, and how fast?
   */
  static void kill(boolean freeze) throws Exception {
    String how = freeze ? "frozen (SIGSTOP)" : "killed (SIGKILL)";
    System.out.println("== " + (freeze ? "freeze" : "kill") + ": worker 1 is " + how + " after worker 0's step 3");
    String[] model = {"in=1024", "hidden=2048", "out=1024", "batch=128", "steps=100000"};
    if (!freeze) {
      killCollective("no timeouts", model, false);
      killCollective("CollectiveReduceV2 timeout_seconds=10", model, false, "collectiveTimeout=10");
      killCollective("operation_timeout_in_ms=10000", model, false, "opTimeoutMs=10000");
      killCollective("RunOptions.timeout_in_ms=10000", model, false, "runTimeoutMs=10000");
      killInGraph("no timeouts", model, false);
      killInGraph("RunOptions.timeout_in_ms=10000", model, false, "runTimeoutMs=10000");
    } else {
      killCollective("no timeouts", model, true);
      killCollective("CollectiveReduceV2 timeout_seconds=10", model, true, "collectiveTimeout=10");
      killInGraph("RunOptions.timeout_in_ms=10000", model, true, "runTimeoutMs=10000");
    }
  }

  static void killCollective(String label, String[] model, boolean freeze, String... extra) throws Exception {
    int[] p = ports();
    String[] base1 = concat(new String[] {"collective", "task=1", "p0=" + p[0], "p1=" + p[1]}, model);
    String[] base0 = concat(new String[] {"collective", "task=0", "p0=" + p[0], "p1=" + p[1]}, model);
    String name = (freeze ? "freeze" : "kill") + "-c-" + label.replaceAll("[^A-Za-z0-9=]+", "_");
    Process w1 = start(name + "-1", concat(base1, extra));
    Process w0 = start(name + "-0", concat(base0, extra));
    report("collective, " + label, w0, w1, name + "-0", freeze);
  }

  static void killInGraph(String label, String[] model, boolean freeze, String... extra) throws Exception {
    int[] p = ports();
    String name = (freeze ? "freeze" : "kill") + "-ig-" + label.replaceAll("[^A-Za-z0-9=]+", "_");
    Process server = start(name + "-1", "serve", "task=1", "p0=" + p[0], "p1=" + p[1]);
    Process chief = start(name + "-0", concat(concat(new String[] {"ingraph", "task=0", "p0=" + p[0], "p1=" + p[1],
        "placeGradients=true"}, model), extra));
    report("in-graph, " + label, chief, server, name + "-0", freeze);
  }

  /** Waits for step 3 in the survivor's log, kills or freezes the victim, and times the survivor's end. */
  static void report(String label, Process survivor, Process victim, String survivorLog, boolean freeze)
      throws Exception {
    Path out = logs.resolve(survivorLog + ".out");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    while (!Files.readString(out).contains("STEP 3 ") && survivor.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    if (freeze) {
      new ProcessBuilder("kill", "-STOP", Long.toString(victim.pid())).start().waitFor();
    } else {
      victim.destroyForcibly().waitFor();
    }
    long hit = System.nanoTime();
    boolean ended = survivor.waitFor(60, TimeUnit.SECONDS);
    double seconds = (System.nanoTime() - hit) / 1e9;
    if (!ended) {
      survivor.destroyForcibly().waitFor();
    }
    victim.destroyForcibly().waitFor();
    System.out.printf(Locale.ROOT, "%s: %s%n", label, ended
        ? String.format(Locale.ROOT, "survivor failed %.1f s later: %s", seconds, tfError(logs.resolve(survivorLog + ".err")))
        : "survivor still in its step 60 s later (hung; ended by the runner)");
  }

  /** The first two lines of the exception that ended a child. */
  static String tfError(Path err) throws IOException {
    List<String> lines = Files.readAllLines(err);
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).startsWith("Exception in thread")) {
        String next = i + 1 < lines.size() ? lines.get(i + 1) : "";
        return lines.get(i).replaceFirst("^Exception in thread \"main\" ", "") + " / " + next;
      }
    }
    return "(no exception in " + err + ")";
  }

  // --- child processes ---

  static String[] concat(String[] a, String... b) {
    String[] c = new String[a.length + b.length];
    System.arraycopy(a, 0, c, 0, a.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }

  static Process start(String name, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xss4m", "-cp", System.getProperty("java.class.path"), PROBE));
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd)
        .redirectOutput(logs.resolve(name + ".out").toFile())
        .redirectError(logs.resolve(name + ".err").toFile())
        .start();
  }

  /** Runs a child to completion (at most 10 minutes) and returns its stdout. */
  static String run(String name, String... args) throws Exception {
    Process p = start(name, args);
    finish(p, name);
    String out = Files.readString(logs.resolve(name + ".out"));
    for (String line : out.split("\n")) {
      if (line.startsWith("RESULT") || line.startsWith("PLACEMENT") || line.startsWith("CHECK")) {
        System.out.println("  [" + name + "] " + line);
      }
    }
    return out;
  }

  static void finish(Process p, String name) throws Exception {
    if (!p.waitFor(10, TimeUnit.MINUTES)) {
      p.destroyForcibly().waitFor();
      throw new IllegalStateException(name + " did not finish in 10 minutes; see " + logs);
    }
    if (p.exitValue() != 0) {
      throw new IllegalStateException(name + " exited with " + p.exitValue() + ": "
          + lastLine(logs.resolve(name + ".err"), "Exception"));
    }
  }

  static double msPerStep(String out) {
    for (String line : out.split("\n")) {
      if (line.startsWith("RESULT msPerStep=")) {
        return Double.parseDouble(line.substring("RESULT msPerStep=".length()).split(" ")[0]);
      }
    }
    throw new IllegalStateException("no RESULT line in " + out);
  }

  static String lastLine(Path file, String containing) throws IOException {
    String found = "(no line with " + containing + ")";
    for (String line : Files.readAllLines(file)) {
      if (line.contains(containing)) {
        found = line;
      }
    }
    return found;
  }

  static int[] ports() throws IOException {
    try (ServerSocket a = new ServerSocket(0); ServerSocket b = new ServerSocket(0)) {
      return new int[] {a.getLocalPort(), b.getLocalPort()};
    }
  }

  static double relativeDifference(Path a, Path reference) throws IOException {
    float[] x = floats(a);
    float[] r = floats(reference);
    double diff = 0;
    double norm = 0;
    for (int i = 0; i < r.length; i++) {
      diff += (x[i] - r[i]) * (double) (x[i] - r[i]);
      norm += r[i] * (double) r[i];
    }
    return Math.sqrt(diff / norm);
  }

  static float[] floats(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file); DataInputStream data = new DataInputStream(in)) {
      float[] v = new float[(int) (Files.size(file) / 4)];
      for (int i = 0; i < v.length; i++) {
        v[i] = data.readFloat();
      }
      return v;
    }
  }
}
