#!/usr/bin/env bash
# Installs what is missing, then builds and runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
. deploy/deps.sh
fashionsort_install_deps
swift build --build-tests
swift test --skip-build "$@"
