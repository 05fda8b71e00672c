# Sourced by the sampler launchers (depot-sample, depot-serve) and tools/bench-vs-pytorch: exports
# TF_ENABLE_ONEDNN_OPTS as tools/depot-tune-sampler recorded it for this CPU, unless it is set
# already. TensorFlow reads it once, when its native library loads, so it must be in the environment
# before the JVM starts. The file's format and place, and the CPU key: runtime/SamplerKernels.java.

# This CPU's key: its model name, then in brackets which of the flags that decide TensorFlow's
# kernels it has, e.g. "AMD EPYC [avx2]". Empty where /proc/cpuinfo cannot tell.
depot_cpu_key() {
  [ -r /proc/cpuinfo ] || return 0
  local model flags present=() f
  model="$(sed -n 's/^model name[[:space:]]*:[ \t]*//p' /proc/cpuinfo | head -n 1)"
  flags=" $(sed -n 's/^flags[[:space:]]*:[ \t]*//p' /proc/cpuinfo | head -n 1) "
  [ -n "$model" ] && [ "$flags" != "  " ] || return 0
  for f in avx2 avx512f avx512_vnni avx512_bf16 amx_bf16; do
    [[ "$flags" == *" $f "* ]] && present+=("$f")
  done
  printf '%s [%s]\n' "$model" "${present[*]}"
}

depot_sampler_kernels() {
  [ -n "${TF_ENABLE_ONEDNN_OPTS+set}" ] && return 0
  local file="${DEPOT_KERNELS_FILE:-${XDG_CACHE_HOME:-$HOME/.cache}/diffusion-depot/sampler-kernels.tsv}"
  [ -r "$file" ] || return 0
  local cpu value
  cpu="$(depot_cpu_key)"
  [ -n "$cpu" ] || return 0
  value="$(awk -F '\t' -v cpu="$cpu" '$1 == cpu { v = $2 } END { print v }' "$file")"
  case "$value" in
    0|1) export TF_ENABLE_ONEDNN_OPTS="$value" ;;
  esac
}
