#!/usr/bin/env bash
# Builds the libFuzzer targets with clang from the Swift toolchain (address and undefined-behaviour
# sanitizers) and runs each for SECONDS (default 60) from the committed seed corpus:
#   bash fuzz/run.sh [SECONDS]
# A finding stops the run with the crashing input written beside it (crash-*, leak-*, timeout-*).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
out="${FUZZ_OUT:-.build/fuzz}"
mkdir -p "$out/corpus"
cp -n fuzz/corpus/* "$out/corpus/"
clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -ISources/CImageCodecs/include -ISources/CImageCodecs \
  fuzz/decode_fuzzer.c Sources/CImageCodecs/png_codec.c Sources/CImageCodecs/jpeg_codec.c \
  $(pkg-config --cflags --libs libpng) -ljpeg -lz -o "$out/decode_fuzzer" 2>"$out/build.log" \
  || { cat "$out/build.log" >&2; exit 1; }  # the gold linker's ASan symbol warnings are noise
cd "$out"
./decode_fuzzer -max_total_time="$seconds" -rss_limit_mb=1024 -timeout=5 -print_final_stats=1 corpus 2>&1 \
  | grep -E "^(#[0-9]+ +DONE|stat::number_of_executed_units|==[0-9]+==ERROR|SUMMARY)" || true
test -z "$(ls crash-* leak-* timeout-* 2>/dev/null)"
