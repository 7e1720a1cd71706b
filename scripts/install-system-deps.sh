#!/usr/bin/env bash
# Installs the Debian packages the build and the test suite need (eBPF toolchain, tmux for
# terminal tests, nftables/iproute2 for the network-namespace lab). Idempotent: does nothing
# when everything is present. Needs root (or sudo) only when something is missing.
set -euo pipefail
pkgs=(clang llvm libbpf-dev libelf-dev zlib1g-dev bpftool iproute2 nftables tmux make pkg-config procps binutils gcc openssl)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing: ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
