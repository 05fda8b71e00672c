# Sourced by the launchers (depot-sample, depot-serve, depot) and tools/bench-vs-pytorch: exports
# TF_ENABLE_ONEDNN_OPTS as tools/depot-tune-sampler recorded it for this CPU (the sampler), or as
# tools/depot tune-kernels recorded it for this CPU and config (training), unless it is set already.
# TensorFlow reads it once, when its native library loads, so it must be in the environment before
# the JVM starts. The file's format and place, and the keys: runtime/KernelChoices.java.

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

# Exports the TF_ENABLE_ONEDNN_OPTS value recorded for key $1, if any and if it is not set already,
# and DEPOT_KERNELS_RECORDED=1 so that the tools can say where the value came from.
depot_recorded_kernels() {
  [ -n "${TF_ENABLE_ONEDNN_OPTS+set}" ] && return 0
  local file="${DEPOT_KERNELS_FILE:-${XDG_CACHE_HOME:-$HOME/.cache}/diffusion-depot/kernels.tsv}"
  [ -r "$file" ] && [ -n "$1" ] || return 0
  local value
  value="$(awk -F '\t' -v key="$1" '$1 == key { v = $2 } END { print v }' "$file")"
  case "$value" in
    0|1) export TF_ENABLE_ONEDNN_OPTS="$value" DEPOT_KERNELS_RECORDED=1 ;;
  esac
}

# The sampler's kernels: recorded per CPU.
depot_sampler_kernels() {
  [ -n "${TF_ENABLE_ONEDNN_OPTS+set}" ] && return 0
  depot_recorded_kernels "$(depot_cpu_key)"
}

# Training's kernels (tools/depot train and bench): recorded per CPU and config. The config is the
# first argument that names an existing file (the CONFIG of "train CONFIG ..." and "bench CONFIG");
# when that guess is wrong the key matches nothing and TensorFlow's default stays.
depot_training_kernels() {
  [ -n "${TF_ENABLE_ONEDNN_OPTS+set}" ] && return 0
  local arg cpu digest
  cpu="$(depot_cpu_key)"
  [ -n "$cpu" ] || return 0
  for arg in "$@"; do
    if [ -f "$arg" ]; then
      digest="$(sha256sum < "$arg" | cut -c1-16)"
      depot_recorded_kernels "$cpu training $digest"
      return 0
    fi
  done
}
