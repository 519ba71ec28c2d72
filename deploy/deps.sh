#!/usr/bin/env bash
# Installs the Debian packages FashionSort builds, tests and runs with, if missing.
# Sourced by deploy/try.sh, deploy/test.sh and deploy/install.sh.
set -euo pipefail

FASHIONSORT_PACKAGES=(
  dataset-fashion-mnist   # the training and test images (/usr/share/datasets/fashion-mnist)
  zlib1g-dev              # gzip for the IDX files
  libpng-dev libjpeg-dev pkg-config   # image decoding (CImageCodecs)
  libinotifytools0-dev    # inbox watching (fashionsortd)
  libsqlite3-dev          # the results index (fashionsortd)
  libssl-dev              # SHA-256 of every file (libcrypto)
)

fashionsort_install_deps() {
  local missing=()
  for p in "${FASHIONSORT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
  done
  if ((${#missing[@]})); then
    echo "installing Debian packages: ${missing[*]}" >&2
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  command -v swift >/dev/null || { echo "swift not found: install Swift 6 (https://swift.org/install/linux/)" >&2; exit 1; }
}
