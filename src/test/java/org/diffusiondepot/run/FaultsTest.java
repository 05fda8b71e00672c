package org.diffusiondepot.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.diffusiondepot.config.ConfigException;
import org.diffusiondepot.config.ConfigLoader;
import org.diffusiondepot.runtime.Tensors;
import org.diffusiondepot.train.DiffusionTraining;
import org.diffusiondepot.train.TrainingGraph;
import org.diffusiondepot.train.TrainingRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.types.TFloat32;

/**
 * What long runs on shared machines meet: kills at any moment, damaged checkpoints, full disks and
 * twin launches. Each must cost at most the steps since the last checkpoint and never the run.
 */
class FaultsTest {
  static final String CONFIG = """
      name: "faults" task: UNCONDITIONAL
      model { base_channels: 8 channel_mults: [1, 2] blocks_per_level: 1 block: RESNET_3X3 group_norm_groups: 4 }
      diffusion { beta_schedule: LINEAR variance: SAME }
      data { resolution: 8 train_fraction: 0.9 }
      train { batch_size: 4 iterations: 200 learning_rate: 1e-3 checkpoint_every: 2 log_every: 2
              sample_every: 0 sample_count: 4 sample_steps: 2 validation_every: 0 }
      """;

  @TempDir
  Path dir;

  @Test
  void aDamagedNewestCheckpointFallsBackToTheOneBefore() throws Exception {
    Path config = config(CONFIG);
    Path run = dir.resolve("run");
    train(config, run, 6);
    Path checkpoints = run.resolve("checkpoints");
    // a few bytes of the newest data file overwritten
    try (RandomAccessFile f = new RandomAccessFile(dataFile(checkpoints, 6).toFile(), "rw")) {
      f.seek(f.length() / 2);
      f.write(new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
    }
    String second = train(config, run, 8);
    assertTrue(second.contains("checkpoint ckpt-00000006 cannot be used") && second.contains("checksum"), second);
    assertTrue(second.contains("resuming from") && second.contains("(step 4)"), second);
    assertTrue(second.contains("finished at step 8"), second);

    // the newest one truncated: the same
    Path newest = dataFile(checkpoints, 8);
    try (RandomAccessFile f = new RandomAccessFile(newest.toFile(), "rw")) {
      f.setLength(f.length() / 3);
    }
    String third = train(config, run, 10);
    assertTrue(third.contains("checkpoint ckpt-00000008 cannot be used") && third.contains("bytes"), third);
    assertTrue(third.contains("(step 6)") || third.contains("(step 4)"), third);
    assertTrue(third.contains("finished at step 10"), third);
  }

  @Test
  void whenNoCheckpointRestoresTheRunStopsAndDeletesNothing() throws Exception {
    Path config = config(CONFIG);
    Path run = dir.resolve("run");
    train(config, run, 4);
    Path checkpoints = run.resolve("checkpoints");
    List<Path> before;
    try (Stream<Path> files = Files.list(checkpoints)) {
      before = files.sorted().toList();
    }
    for (long step : new long[] {2, 4}) {
      Files.write(dataFile(checkpoints, step), new byte[] {0});
    }
    ConfigException e = assertThrows(ConfigException.class, () -> train(config, run, 6));
    assertTrue(e.getMessage().contains("none of the 2 checkpoints") && e.getMessage().contains("nothing was deleted"),
        e.getMessage());
    try (Stream<Path> files = Files.list(checkpoints)) {
      assertEquals(before, files.sorted().toList());
    }
  }

  /** A save that fails half way (as on a full disk) leaves no temporary file and the previous checkpoint published. */
  @Test
  void aFailedSaveKeepsThePreviousCheckpoint() throws Exception {
    TrainingGraph g = new TrainingGraph(ConfigLoader.parse(CONFIG, "faults"));
    Path checkpoints = dir.resolve("checkpoints");
    try (Session s = new Session(g.graph)) {
      s.initialize();
      new CheckpointStore(checkpoints, 3).save(s, 1);
      CheckpointStore full = new CheckpointStore(checkpoints, 3, (session, prefix) -> {
        session.save(prefix);
        try {
          Files.write(Path.of(prefix + ".data-00000-of-00001"), new byte[] {1, 2, 3});
        } catch (java.io.IOException e) {
          throw new AssertionError(e);
        }
        throw new RuntimeException("No space left on device");
      });
      CheckpointWriteException e = assertThrows(CheckpointWriteException.class, () -> full.save(s, 2));
      assertTrue(e.getMessage().contains("No space left on device")
          && e.getMessage().contains("ckpt-00000001 is still published"), e.getMessage());
      CheckpointStore store = new CheckpointStore(checkpoints, 3);
      assertEquals(1, CheckpointStore.stepOf(store.latest().orElseThrow()));
      assertEquals(java.util.Optional.empty(), store.verify(store.latest().orElseThrow()));
      try (Stream<Path> files = Files.list(checkpoints)) {
        assertFalse(files.anyMatch(f -> f.getFileName().toString().startsWith(".tmp-")), "no half-written files");
      }
    } finally {
      g.graph.close();
    }
  }

  /** A second job on a live run is refused naming the holder; once the holder dies its lock is free. */
  @Test
  void aRunDirectoryHasOneOwner() throws Exception {
    Path run = dir.resolve("run");
    Process holder = java(LockHolder.class.getName(), run.toString());
    try {
      BufferedReader lines = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
      assertEquals("locked", lines.readLine());
      RunBusyException busy = assertThrows(RunBusyException.class, () -> RunLock.acquire(run));
      assertTrue(busy.getMessage().contains("pid " + holder.pid()), busy.getMessage());
      RunBusyException twin = assertThrows(RunBusyException.class, () -> train(config(CONFIG), run, 2));
      assertTrue(twin.getMessage().contains("in use by another training job"), twin.getMessage());
    } finally {
      holder.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
    try (RunLock lock = RunLock.acquire(run)) {
      assertTrue(Files.readString(run.resolve(RunLock.FILE)).contains("pid " + ProcessHandle.current().pid()),
          "a dead holder's lock is taken over");
    }
  }

  /**
   * Five SIGKILLs at random moments of a training process, each followed by the same command, end
   * with the weights of an uninterrupted run: a resumed run repeats exactly the steps it lost. Each
   * kill lands a random 0-40 ms after the run has saved past a random step, so that it hits
   * training and saving rather than start-up (a run of this model reaches its target in about a
   * second once started).
   */
  @Test
  void killedFiveTimesAndResumedEqualsUninterrupted() throws Exception {
    long target = 24;
    Path config = config(CONFIG.replace("checkpoint_every: 2", "checkpoint_every: 3"));
    Path killed = dir.resolve("killed");
    Random random = new Random(2026);
    // five different checkpoints to pass, in order, each at least one save before the target
    List<Integer> passes = new ArrayList<>(List.of(3, 6, 9, 12, 15, 18));
    java.util.Collections.shuffle(passes, random);
    passes = new ArrayList<>(passes.subList(0, 5));
    java.util.Collections.sort(passes);
    for (int pass : passes) {
      Process p = java("org.diffusiondepot.cli.DepotCli", "train", config.toString(), "--data", "builtin", "--out",
          killed.toString(), "--steps", String.valueOf(target));
      Thread drain = new Thread(() -> {
        try {
          p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        } catch (java.io.IOException closed) {
          // the process was killed
        }
      });
      drain.start();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
      while (newestCheckpoint(killed) < pass && p.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertTrue(p.isAlive(), "the run was still training when it had saved step " + pass);
      Thread.sleep(random.nextInt(40));
      p.destroyForcibly().waitFor(60, TimeUnit.SECONDS);
      assertFalse(p.isAlive());
      drain.join(10_000);
    }
    Process last = java("org.diffusiondepot.cli.DepotCli", "train", config.toString(), "--data", "builtin", "--out",
        killed.toString(), "--steps", String.valueOf(target));
    String output = new String(last.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(last.waitFor(300, TimeUnit.SECONDS) && last.exitValue() == 0, output);
    assertTrue(output.contains("finished at step " + target), output);

    Path straight = dir.resolve("straight");
    train(config, straight, target);
    assertArrayEquals(weights(config, straight), weights(config, killed),
        "weights, Adam moments and EMA after resumes equal the uninterrupted run's");
  }

  /**
   * SIGTERM (what Ctrl-C and a cluster's scheduler send) while the end-of-run preview samples: the
   * chain gives up at its next step, the process exits as terminated within seconds, not after the
   * shutdown hook's two minutes or with a JVM crash report, and the final checkpoint is in place.
   */
  @Test
  void aStopDuringTheEndOfRunPreviewCutsItShort() throws Exception {
    // a chain of 1000 steps on 64 images: many seconds on any machine
    Path config = config(CONFIG.replace("sample_count: 4 sample_steps: 2", "sample_count: 64 sample_steps: 1000"));
    Path run = dir.resolve("run");
    Process p = java("org.diffusiondepot.cli.DepotCli", "train", config.toString(), "--data", "builtin", "--out",
        run.toString(), "--steps", "4");
    StringBuilder output = new StringBuilder();
    BufferedReader lines = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    for (String line; (line = lines.readLine()) != null;) {
      output.append(line).append('\n');
      if (line.contains("sampling the end-of-run preview")) {
        break;
      }
    }
    Thread.sleep(500);
    p.toHandle().destroy(); // SIGTERM, keeping our end of its output open (Process.destroy closes it)
    for (String line; (line = lines.readLine()) != null;) {
      output.append(line).append('\n');
    }
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), output.toString());
    assertEquals(143, p.exitValue(), "terminated by SIGTERM, not crashed:\n" + output);
    assertTrue(output.toString().contains("stop requested: preview stopped after"), output.toString());
    assertFalse(output.toString().contains("fatal error"), output.toString());
    assertEquals(4, newestCheckpoint(run));
  }

  /** The step of the newest checkpoint whose index file is in place (its save may still be finishing), or -1. */
  private static long newestCheckpoint(Path run) throws java.io.IOException {
    Path checkpoints = run.resolve("checkpoints");
    if (!Files.isDirectory(checkpoints)) {
      return -1;
    }
    try (Stream<Path> files = Files.list(checkpoints)) {
      return files.map(f -> f.getFileName().toString()).filter(n -> n.matches("ckpt-\\d{8}\\.index"))
          .mapToLong(n -> Long.parseLong(n.substring(5, 13))).max().orElse(-1);
    } catch (java.nio.file.NoSuchFileException gone) {
      return -1;
    }
  }

  private static Path dataFile(Path checkpoints, long step) {
    return checkpoints.resolve(String.format("ckpt-%08d.data-00000-of-00001", step));
  }

  private Path config(String text) throws Exception {
    Path config = dir.resolve("c.pbtxt");
    Files.writeString(config, text);
    return config;
  }

  private static String train(Path config, Path run, long steps) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DiffusionTraining.run(new TrainingRequest(config, "builtin", run, steps),
        new PrintStream(bytes, true, StandardCharsets.UTF_8));
    return bytes.toString(StandardCharsets.UTF_8);
  }

  /** Every variable of the run's latest checkpoint (weights, slots, EMA, step) in name order. */
  private static float[] weights(Path config, Path run) throws Exception {
    TrainingGraph g = new TrainingGraph(ConfigLoader.load(config));
    try (Session s = new Session(g.graph)) {
      s.restore(new CheckpointStore(run.resolve("checkpoints"), 1).latest().orElseThrow().toString());
      List<String> names = new ArrayList<>(g.weights.variables().keySet());
      java.util.Collections.sort(names);
      Session.Runner runner = s.runner();
      int fetched = 0;
      for (String name : names) {
        String op = name.replace('/', '.');
        for (String variable : List.of(op, "ema." + op, "optimizer.m." + op, "optimizer.v." + op)) {
          runner.fetch(g.graph.operation(variable).output(0));
          fetched++;
        }
      }
      List<Float> all = new ArrayList<>();
      try (Result r = runner.run()) {
        for (int i = 0; i < fetched; i++) {
          for (float v : Tensors.floats((TFloat32) r.get(i))) {
            all.add(v);
          }
        }
      }
      float[] out = new float[all.size() + 1];
      for (int i = 0; i < all.size(); i++) {
        out[i] = all.get(i);
      }
      out[all.size()] = DiffusionTraining.readStep(s, g);
      return out;
    } finally {
      g.graph.close();
    }
  }

  private static Process java(String mainClass, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xss4m", "-cp", System.getProperty("java.class.path"), mainClass));
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectErrorStream(true).start();
  }
}
