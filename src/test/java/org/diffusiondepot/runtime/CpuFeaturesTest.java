package org.diffusiondepot.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** bf16 arithmetic is read from the flags line of /proc/cpuinfo. */
class CpuFeaturesTest {
  private static final String AVX2_ONLY = """
      processor\t: 0
      vendor_id\t: AuthenticAMD
      model name\t: AMD EPYC
      flags\t\t: fpu vme de pse sse sse2 avx f16c fma avx2 bmi2 sha_ni
      bugs\t\t: sysret_ss_attrs
      """;

  @Test
  void avx2AloneHasNoBf16() {
    assertEquals(Optional.of(false), CpuFeatures.hasBf16(AVX2_ONLY));
  }

  @Test
  void avx512Bf16OrAmxHasIt() {
    assertEquals(Optional.of(true), CpuFeatures.hasBf16(AVX2_ONLY.replace("avx2", "avx2 avx512f avx512_bf16")));
    assertEquals(Optional.of(true), CpuFeatures.hasBf16(AVX2_ONLY.replace("sha_ni", "sha_ni amx_bf16 amx_tile")));
    // avx512f alone is not bf16 arithmetic
    assertEquals(Optional.of(false), CpuFeatures.hasBf16(AVX2_ONLY.replace("avx2", "avx2 avx512f avx512bw")));
  }

  @Test
  void noFlagsLineTellsNothing() {
    assertEquals(Optional.empty(), CpuFeatures.hasBf16("processor\t: 0\nmodel name\t: something\n"));
  }
}
