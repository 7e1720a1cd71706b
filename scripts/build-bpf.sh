#!/usr/bin/env bash
# Builds netscope's eBPF objects (build/bpf/ns_*.bpf.o) and the libbpf loader
# (build/native/netscope-loader, libbpf/libelf/zlib linked statically so the target
# needs no libbpf). Idempotent: does nothing when outputs are newer than sources.
# Needs: clang, bpftool (for bpf/vmlinux.h), gcc, libbpf-dev, libelf-dev, zlib1g-dev.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
out_bpf=build/bpf
out_native=build/native
mkdir -p "$out_bpf" "$out_native"
# Tests and build:binary may run this at the same time: one build at a time, so no
# run moves another's half-written output into place.
exec 9>"build/.build-bpf.lock"
flock 9

need() { command -v "$1" >/dev/null 2>&1 || { echo "build-bpf: $1 not found (install it: see scripts/install-system-deps.sh)" >&2; exit 1; }; }
need clang
need gcc

# vmlinux.h: all kernel types, from the build machine's BTF. CO-RE relocations make
# the objects run on other kernels, so this is generated once, not per target.
if [ ! -s bpf/vmlinux.h ]; then
  need bpftool
  [ -r /sys/kernel/btf/vmlinux ] || { echo "build-bpf: /sys/kernel/btf/vmlinux missing: cannot generate bpf/vmlinux.h" >&2; exit 1; }
  bpftool btf dump file /sys/kernel/btf/vmlinux format c > bpf/vmlinux.h.tmp
  mv bpf/vmlinux.h.tmp bpf/vmlinux.h
fi

newer() { # newer OUT SRC... : true if OUT is missing or older than any SRC
  local o="$1"; shift
  [ -e "$o" ] || return 0
  for s in "$@"; do [ "$s" -nt "$o" ] && return 0; done
  return 1
}

changed=0
headers=(bpf/netscope.h bpf/ns_common.bpf.h bpf/vmlinux.h)
for src in bpf/ns_*.bpf.c; do
  obj="$out_bpf/$(basename "${src%.c}").o"
  if newer "$obj" "$src" "${headers[@]}" "$0"; then
    clang -g -O2 -target bpf -D__TARGET_ARCH_x86 -Wall -Ibpf -c "$src" -o "$obj.tmp"
    # drop DWARF, keep BTF (CO-RE needs .BTF/.BTF.ext only)
    llvm-strip -g "$obj.tmp" 2>/dev/null || true
    mv "$obj.tmp" "$obj"
    changed=1
  fi
done

loader="$out_native/netscope-loader"
if newer "$loader" native/*.c native/*.h bpf/netscope.h "$0"; then
  gcc -O2 -Wall -Wextra -o "$loader.tmp" native/*.c \
    -Wl,-Bstatic -lbpf -lelf -lz -Wl,-Bdynamic
  mv "$loader.tmp" "$loader"
  changed=1
fi

if [ "$changed" = 1 ] || [ ! -s "$out_bpf/BUILD_ID" ]; then
  cat "$out_bpf"/ns_*.bpf.o "$loader" | sha256sum | cut -c1-12 > "$out_bpf/BUILD_ID"
  echo "build-bpf: built $(ls "$out_bpf"/ns_*.bpf.o | wc -l) eBPF objects and $loader (BUILD_ID $(cat "$out_bpf/BUILD_ID"))" >&2
fi
