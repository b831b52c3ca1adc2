#!/usr/bin/env bash
# System packages NN Lab's tests and benchmarks need on Debian bookworm:
# - mesa-vulkan-drivers from bookworm-backports (Mesa 25's lavapipe: Vulkan on the CPU, which
#   Dawn accepts; bookworm's own Mesa 22 is refused), so the WebGPU backend is tested without a GPU
# - chromium for the end-to-end tests (driven by playwright-core)
# - dataset-fashion-mnist: real data for integration tests and benchmarks
# - g++/make/python3 for the native addons (better-sqlite3, our CPU kernels)
set -euo pipefail

SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi

need=()
dpkg -s chromium >/dev/null 2>&1 || need+=(chromium)
dpkg -s dataset-fashion-mnist >/dev/null 2>&1 || need+=(dataset-fashion-mnist)
for p in g++ make python3; do command -v "$p" >/dev/null 2>&1 || need+=("$p"); done

lavapipe_ok() {
  # Mesa 25 or newer provides the lavapipe ICD that Dawn accepts.
  local v
  v=$(dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null || true)
  [ -n "$v" ] && dpkg --compare-versions "$v" ge 25
}

if [ ${#need[@]} -eq 0 ] && lavapipe_ok; then
  echo "system packages: all present"
  exit 0
fi

if ! grep -rqs "bookworm-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then
  echo "deb http://deb.debian.org/debian bookworm-backports main" | $SUDO tee /etc/apt/sources.list.d/bookworm-backports.list >/dev/null
fi
$SUDO apt-get update -qq
if [ ${#need[@]} -gt 0 ]; then
  $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
if ! lavapipe_ok; then
  $SUDO apt-get install -y -qq --no-install-recommends -t bookworm-backports mesa-vulkan-drivers libvulkan1
fi
echo "system packages: installed"
