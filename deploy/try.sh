#!/usr/bin/env bash
# Installs what is missing, builds a release binary and runs the main job on
# the embedded default model.
set -euo pipefail
cd "$(dirname "$0")/.."
. deploy/deps.sh
fashionsort_install_deps
swift build -c release --product fashionsort
bin=$(swift build -c release --show-bin-path)
"$bin/fashionsort" evaluate
