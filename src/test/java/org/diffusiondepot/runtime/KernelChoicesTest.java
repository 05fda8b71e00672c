package org.diffusiondepot.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.diffusiondepot.runtime.KernelChoices.Choice;
import org.diffusiondepot.runtime.KernelChoices.Kernels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The per-CPU record of the sampler's kernels, and the launchers' bash reading of it. */
class KernelChoicesTest {
  static final String CPUINFO = """
      processor\t: 0
      vendor_id\t: AuthenticAMD
      model name\t: AMD EPYC 9B14
      flags\t\t: fpu sse2 avx2 avx512f avx512fp16 avx512_bf16 avx512_vnni_x amx_tile
      processor\t: 1
      model name\t: Another Name
      flags\t\t: avx2
      """;

  @TempDir Path dir;

  @Test
  void cpuKeyIsTheFirstModelNameWithTheKernelFlagsItHas() {
    // avx512fp16 and avx512_vnni_x are not avx512f and avx512_vnni: whole flags only
    assertEquals(Optional.of("AMD EPYC 9B14 [avx2 avx512f avx512_bf16]"), KernelChoices.cpuKey(CPUINFO));
    assertEquals(Optional.of("Name  with  spaces []"),
        KernelChoices.cpuKey("model name\t:   Name  with  spaces\nflags\t: sse2\n"));
    assertEquals(Optional.empty(), KernelChoices.cpuKey("processor\t: 0\nflags\t: avx2\n"), "no model name");
    assertEquals(Optional.empty(), KernelChoices.cpuKey("model name\t: X\n"), "no flags");
  }

  @Test
  void recordingReplacesTheLineOfTheSameCpuAndKeepsTheOthers() throws IOException {
    Path file = dir.resolve("sub/kernels.tsv");
    KernelChoices.record(file, new Choice("A [avx2]", Kernels.ONEDNN, "first"));
    KernelChoices.record(file, new Choice("B [avx2 avx512f]", Kernels.EIGEN, "second"));
    KernelChoices.record(file, new Choice("A [avx2]", Kernels.EIGEN, "third"));
    assertEquals(List.of(new Choice("B [avx2 avx512f]", Kernels.EIGEN, "second"),
        new Choice("A [avx2]", Kernels.EIGEN, "third")), KernelChoices.read(file));
    assertEquals(Optional.of(Kernels.EIGEN), KernelChoices.recorded(file, "A [avx2]").map(Choice::kernels));
    assertEquals(Optional.empty(), KernelChoices.recorded(file, "A"));
    List<String> lines = Files.readAllLines(file);
    assertEquals(3, lines.size(), "one comment line and one line per CPU: " + lines);
    assertEquals("A [avx2]\t0\teigen\tthird", lines.get(2));
    try (var listing = Files.list(file.getParent())) {
      assertEquals(List.of(file), listing.toList(), "no partial file is left beside it");
    }
  }

  @Test
  void aDamagedLineIsNamedWithItsFileAndNumber() throws IOException {
    Path file = dir.resolve("kernels.tsv");
    Files.writeString(file, "# comment\nA [avx2]\t1\tonednn\tok\nB [avx2]\tyes\tonednn\tbad\n");
    OptionException e = assertThrows(OptionException.class, () -> KernelChoices.read(file));
    assertTrue(e.getMessage().startsWith(file + " line 3: expected four tab-separated fields"), e.getMessage());
    assertEquals(List.of(), KernelChoices.read(dir.resolve("absent.tsv")));
  }

  @Test
  void theFileDefaultsToTheUsersCacheAndCanBeNamed() {
    assertEquals(Path.of("/x/k.tsv"), KernelChoices.file(Map.of(KernelChoices.FILE_VARIABLE, "/x/k.tsv")));
    assertEquals(Path.of("/c/diffusion-depot/kernels.tsv"), KernelChoices.file(Map.of("XDG_CACHE_HOME", "/c")));
    assertEquals(Path.of(System.getProperty("user.home"), ".cache/diffusion-depot/kernels.tsv"),
        KernelChoices.file(Map.of()));
  }

  /** What the launchers' tools/lib/kernels.sh makes of this machine and a file. */
  private static String bash(Path file, String preset, String script) throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder("bash", "-c",
        "set -euo pipefail; source tools/lib/kernels.sh; " + script);
    builder.environment().put(KernelChoices.FILE_VARIABLE, file.toString());
    builder.environment().remove(KernelChoices.TENSORFLOW_VARIABLE);
    builder.environment().remove(ActiveKernels.RECORDED_VARIABLE);
    if (preset != null) {
      builder.environment().put(KernelChoices.TENSORFLOW_VARIABLE, preset);
    }
    builder.redirectErrorStream(true);
    Process process = builder.start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertEquals(0, process.waitFor(), out);
    return out;
  }

  @Test
  void theLaunchersFindWhatJavaRecordedForThisCpu() throws Exception {
    Optional<String> key = KernelChoices.cpuKey();
    assumeTrue(key.isPresent(), "needs a Linux /proc/cpuinfo with a model name and flags");
    Path file = dir.resolve("kernels.tsv");
    assertEquals(key.get(), bash(file, null, "depot_cpu_key"), "bash and Java must build the same key");

    String show = "depot_sampler_kernels; echo \"${TF_ENABLE_ONEDNN_OPTS-unset}\"";
    assertEquals("unset", bash(file, null, show), "no file: TensorFlow's default");
    KernelChoices.record(file, new Choice("Other CPU [avx2]", Kernels.ONEDNN, "elsewhere"));
    assertEquals("unset", bash(file, null, show), "only another CPU's line");
    KernelChoices.record(file, new Choice(key.get(), Kernels.ONEDNN, "here"));
    assertEquals("1", bash(file, null, show));
    assertEquals("0", bash(file, "0", show), "a value already set wins");
    KernelChoices.record(file, new Choice(key.get(), Kernels.EIGEN, "here again"));
    assertEquals("0", bash(file, null, show));
  }

  /** tools/depot's lookup for train and bench: the first argument naming a file is the config, keyed by its bytes. */
  @Test
  void theLauncherFindsWhatJavaRecordedForThisCpuAndConfig() throws Exception {
    Optional<String> cpu = KernelChoices.cpuKey();
    assumeTrue(cpu.isPresent(), "needs a Linux /proc/cpuinfo with a model name and flags");
    Path file = dir.resolve("kernels.tsv");
    Path config = dir.resolve("a.pbtxt");
    Path other = dir.resolve("b.pbtxt");
    Files.writeString(config, "name: \"a\"\n");
    Files.writeString(other, "name: \"b\"\n");
    String show = "depot_training_kernels %s; echo \"${TF_ENABLE_ONEDNN_OPTS-unset}\"";
    String args = "--steps 3 " + config + " --data builtin";
    KernelChoices.record(file, new Choice(cpu.get(), Kernels.EIGEN, "the sampler's line"));
    assertEquals("unset", bash(file, null, show.formatted(args)), "the sampler's choice is not training's");
    KernelChoices.record(file, new Choice(KernelChoices.trainingKey(cpu.get(), config), Kernels.ONEDNN, "here"));
    assertEquals("1", bash(file, null, show.formatted(args)), "bash and Java must build the same key");
    assertEquals("1", bash(file, null, "depot_training_kernels " + args + "; echo \"${DEPOT_KERNELS_RECORDED-}\""),
        "the value is marked as the record's");
    assertEquals("unset", bash(file, null, show.formatted(other.toString())), "another config");
    assertEquals("0", bash(file, "0", show.formatted(args)), "a value already set wins");
    assertEquals("0", bash(file, null, "depot_sampler_kernels; echo \"${TF_ENABLE_ONEDNN_OPTS-unset}\""),
        "the training line does not change the sampler's");
    Files.writeString(config, "name: \"a\" # edited\n");
    assertEquals("unset", bash(file, null, show.formatted(args)), "an edited config is measured again");
  }
}
