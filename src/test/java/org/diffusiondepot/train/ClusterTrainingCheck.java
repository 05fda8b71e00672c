package org.diffusiondepot.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.diffusiondepot.cli.DepotCli;
import org.diffusiondepot.cluster.ClusterException;
import org.diffusiondepot.config.ConfigLoader;
import org.diffusiondepot.run.CheckpointStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Session;

/**
 * The {@code train --cluster} command end to end, with one JVM per worker on localhost and one
 * CPU thread each (-Ddepot.threads=1), as a user runs it in two terminals: 2 workers x batch 8
 * learn what one process learns from batch 16, and a worker killed mid-run stops the chief within
 * 60 s, leaves a checkpoint that loads, and running both commands again resumes from it; a killed
 * chief stops the worker within 60 s. Too slow for {@code mvn test} (about 100 s a method on 2
 * cores, most of it JVM and graph start-up), so it is named *Check and run by {@code
 * tools/cluster-check}.
 */
class ClusterTrainingCheck {
  static final String CONFIG = """
      name: "cluster" task: UNCONDITIONAL
      model { base_channels: 8 channel_mults: [1, 2] attention_resolutions: [4] block: RESNET_3X3
              group_norm_groups: 4 }
      diffusion { beta_schedule: LINEAR variance: SAME }
      data { resolution: 8 train_fraction: 0.9 random_flip: true }
      train { batch_size: 16 iterations: 1000 learning_rate: 1e-3 warmup_steps: 2 weight_decay: 0.01
              grad_clip_norm: 1.0 ema_decay: 0.9 checkpoint_every: %d log_every: 1 sample_every: 0
              sample_count: 2 sample_steps: 2 validation_every: 0 seed: 7 }
      """;
  /** Every child started, ended after each test whatever happened. */
  static final List<Process> CHILDREN = new ArrayList<>();

  @org.junit.jupiter.api.AfterEach
  void endChildren() throws InterruptedException {
    for (Process p : CHILDREN) {
      p.destroyForcibly().waitFor();
    }
    CHILDREN.clear();
  }

  /** 3 steps of 2 workers x 8 against 3 steps of one process x 16: same weights, Adam moments and EMA (1e-5). */
  @Test
  @Timeout(300)
  void twoWorkersOfEightLearnWhatOneProcessOfSixteenLearns(@TempDir Path dir) throws Exception {
    Path config = writeConfig(dir, 3);
    Path single = dir.resolve("single");
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    DiffusionTraining.run(new TrainingRequest(config, "builtin", single, 3L),
        new PrintStream(log, true, StandardCharsets.UTF_8));

    Path cluster = writeCluster(dir);
    Path run = dir.resolve("cluster");
    Child worker = Child.start(train(config, run, cluster, 1, 3));
    Child chief = Child.start(train(config, run, cluster, 0, 3));
    assertEquals(0, chief.await(240), chief.output());
    assertEquals(0, worker.await(60), worker.output());
    assertTrue(chief.output().contains("cluster: 2 workers, 2 replicas (/job:worker/task:0/device:CPU:0, "
        + "/job:worker/task:1/device:CPU:0)"), chief.output());
    assertTrue(chief.output().contains("finished at step 3"), chief.output());
    assertTrue(worker.output().contains("the chief finished"), worker.output());
    // worker 1 read its own rows of every batch; the chief fed only its own
    assertTrue(worker.output().contains("worker 1 reads rows 8-15 of every batch of 16 from builtin, from step 0"),
        worker.output());

    Map<String, float[]> expected = restore(config, latest(single), 3);
    Map<String, float[]> actual = restore(config, latest(run), 3);
    TrainingLayoutTest.assertSameState(expected, actual, "2 workers x 8 against 1 process x 16");
    // the run records the config as asked for, not its spread over the workers
    assertEquals(0, ConfigLoader.load(run.resolve("config.pbtxt")).getTrain().getDevicesCount());
  }

  /**
   * SIGKILL of worker 1 after a checkpoint: the chief stops within 60 s with exit code 4 and a
   * line naming worker 1; its latest checkpoint restores; the same two commands resume from it.
   */
  @Test
  @Timeout(400)
  void aKilledWorkerStopsTheChiefAndTheSameCommandsResume(@TempDir Path dir) throws Exception {
    Path config = writeConfig(dir, 2);
    Path cluster = writeCluster(dir);
    Path run = dir.resolve("run");
    Child worker = Child.start(train(config, run, cluster, 1, 1000));
    Child chief = Child.start(train(config, run, cluster, 0, 1000));
    CheckpointStore store = new CheckpointStore(run.resolve("checkpoints"), 3);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
    while (store.latest().map(CheckpointStore::stepOf).orElse(0L) < 4) {
      assertTrue(chief.process.isAlive(), chief.output());
      assertTrue(System.nanoTime() < deadline, "no checkpoint of step 4 within 240 s: " + chief.output());
      Thread.sleep(100);
    }
    worker.process.destroyForcibly();
    long killed = System.nanoTime();
    int code = chief.await(90);
    double seconds = (System.nanoTime() - killed) / 1e9;
    System.out.printf("the chief stopped %.1f s after worker 1 was killed, exit code %d%n", seconds, code);
    assertEquals(ClusterException.EXIT_CODE, code, chief.output());
    assertTrue(seconds < 60, "the chief took " + seconds + " s");
    String lastLine = lastErrorLine(chief.output());
    System.out.println("the chief's last line: " + lastLine);
    assertTrue(lastLine.contains("worker 1"), "the line names the dead worker: " + lastLine);
    assertTrue(lastLine.contains("is intact"), lastLine);

    Path kept = store.latest().orElseThrow();
    long keptStep = CheckpointStore.stepOf(kept);
    assertTrue(keptStep >= 4, kept.toString());
    restore(config, kept, keptStep);

    long target = keptStep + 2;
    worker = Child.start(train(config, run, cluster, 1, target));
    chief = Child.start(train(config, run, cluster, 0, target));
    assertEquals(0, chief.await(240), chief.output());
    assertEquals(0, worker.await(60), worker.output());
    assertTrue(chief.output().contains("(step " + keptStep + ")") && chief.output().contains("resuming from"),
        chief.output());
    assertTrue(chief.output().contains("finished at step " + target), chief.output());
    assertTrue(worker.output().contains("reads rows 8-15 of every batch of 16 from builtin, from step " + keptStep),
        "the resumed worker continues the sequence of batches: " + worker.output());
    assertEquals(target, CheckpointStore.stepOf(store.latest().orElseThrow()));
  }

  /** SIGKILL of the chief after a checkpoint: the worker stops within 60 s, exit code 4, one line saying so. */
  @Test
  @Timeout(300)
  void aKilledChiefStopsTheWorker(@TempDir Path dir) throws Exception {
    Path config = writeConfig(dir, 2);
    Path cluster = writeCluster(dir);
    Path run = dir.resolve("run");
    Child worker = Child.start(train(config, run, cluster, 1, 1000));
    Child chief = Child.start(train(config, run, cluster, 0, 1000));
    CheckpointStore store = new CheckpointStore(run.resolve("checkpoints"), 3);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
    while (store.latest().isEmpty()) {
      assertTrue(chief.process.isAlive(), chief.output());
      assertTrue(System.nanoTime() < deadline, "no checkpoint within 240 s: " + chief.output());
      Thread.sleep(100);
    }
    chief.process.destroyForcibly();
    long killed = System.nanoTime();
    int code = worker.await(90);
    double seconds = (System.nanoTime() - killed) / 1e9;
    String lastLine = lastErrorLine(worker.output());
    System.out.printf("the worker stopped %.1f s after the chief was killed, exit code %d: %s%n", seconds, code,
        lastLine);
    assertEquals(ClusterException.EXIT_CODE, code, worker.output());
    assertTrue(seconds < 60, "the worker took " + seconds + " s");
    assertTrue(lastLine.contains("the chief (worker 0 at ") && lastLine.contains("is gone"), lastLine);
  }

  static Path writeConfig(Path dir, int checkpointEvery) throws IOException {
    Path config = dir.resolve("c.pbtxt");
    Files.writeString(config, CONFIG.formatted(checkpointEvery));
    return config;
  }

  static Path writeCluster(Path dir) throws IOException {
    Path cluster = dir.resolve("cluster.pbtxt");
    Files.writeString(cluster, """
        job {
          name: "worker"
          tasks { key: 0 value: "localhost:%d" }
          tasks { key: 1 value: "localhost:%d" }
        }
        """.formatted(freePort(), freePort()));
    return cluster;
  }

  /**
   * The same command for every task. The step timeout is generous because the first step (the
   * graph's optimisation and first run, one thread) took over 30 s on the loaded 2-core machine; a
   * killed worker fails the step at once (its sockets close), well inside it.
   */
  static List<String> train(Path config, Path run, Path cluster, int task, long steps) {
    return List.of("train", config.toString(), "--data", "builtin", "--out", run.toString(), "--steps",
        String.valueOf(steps), "--cluster", cluster.toString(), "--task", String.valueOf(task), "--cluster-wait",
        "120", "--step-timeout", "120");
  }

  static Path latest(Path run) throws IOException {
    return new CheckpointStore(run.resolve("checkpoints"), 3).latest().orElseThrow();
  }

  /** Every variable of the checkpoint, restored into the one-device graph of the config. */
  static Map<String, float[]> restore(Path config, Path prefix, long step) {
    TrainingGraph g = new TrainingGraph(ConfigLoader.load(config));
    try (Session s = new Session(g.graph, g.layout.sessionConfig())) {
      s.restore(prefix.toString());
      assertEquals(step, DiffusionTraining.readStep(s, g));
      return TrainingLayoutTest.state(s, g);
    } finally {
      g.graph.close();
    }
  }

  static String lastErrorLine(String output) {
    String line = "";
    for (String l : output.split("\n")) {
      if (l.startsWith("error:")) {
        line = l;
      }
    }
    return line;
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A {@code depot} JVM with one TensorFlow thread, its output collected. */
  record Child(Process process, ByteArrayOutputStream log, Thread pump) {
    static Child start(List<String> args) throws IOException {
      List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xss4m", "-Ddepot.threads=1", "-Ddepot.interOpThreads=1", "-cp", System.getProperty("java.class.path"),
          DepotCli.class.getName()));
      command.addAll(args);
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
      builder.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
      builder.environment().remove("TF_CONFIG");
      Process process = builder.start();
      CHILDREN.add(process);
      ByteArrayOutputStream log = new ByteArrayOutputStream();
      Thread pump = new Thread(() -> {
        try (InputStream in = process.getInputStream()) {
          in.transferTo(new java.io.OutputStream() {
            @Override
            public void write(int b) {
              synchronized (log) {
                log.write(b);
              }
            }

            @Override
            public void write(byte[] b, int off, int len) {
              synchronized (log) {
                log.write(b, off, len);
              }
            }
          });
        } catch (IOException e) {
          // the process ended
        }
      });
      pump.setDaemon(true);
      pump.start();
      return new Child(process, log, pump);
    }

    int await(long seconds) throws InterruptedException {
      if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
        throw new AssertionError("still running after " + seconds + " s:\n" + output());
      }
      pump.join(5000);
      return process.exitValue();
    }

    String output() {
      synchronized (log) {
        return log.toString(StandardCharsets.UTF_8);
      }
    }
  }
}
