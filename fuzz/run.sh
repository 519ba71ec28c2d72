#!/usr/bin/env bash
# Builds the libFuzzer targets — the C decoding shim (clang from the Swift toolchain) and the Swift intake
# path (fuzz/IntakeFuzzer, a package of its own so the product's build never compiles it) — with the
# address and undefined-behaviour sanitizers, and runs each for SECONDS (default 60) from the committed
# seed corpus:   bash fuzz/run.sh [SECONDS]
# A finding fails the run, its input written as crash-*, leak-*, timeout-* or oom-* in the output folder.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
seconds="${1:-60}"
out="$(mkdir -p "${FUZZ_OUT:-$repo/.build/fuzz}" && cd "${FUZZ_OUT:-$repo/.build/fuzz}" && pwd)"
mkdir -p "$out/corpus"
mkdir -p "$out/corpus-exif"
cp -n "$repo"/fuzz/corpus/* "$out/corpus/"
cp -n "$repo"/fuzz/corpus-exif/* "$out/corpus-exif/"

# The gold linker's warnings about ASan's symbols are noise: logs are shown only on failure.
clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -I"$repo/Sources/CImageCodecs/include" -I"$repo/Sources/CImageCodecs" "$repo/fuzz/decode_fuzzer.c" \
  "$repo/Sources/CImageCodecs/png_codec.c" "$repo/Sources/CImageCodecs/jpeg_codec.c" \
  "$repo/Sources/CImageCodecs/exif.c" \
  $(pkg-config --cflags --libs libpng) -ljpeg -lz -o "$out/decode_fuzzer" 2>"$out/build-c.log" \
  || { cat "$out/build-c.log" >&2; exit 1; }
clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -I"$repo/Sources/CImageCodecs/include" -I"$repo/Sources/CImageCodecs" "$repo/fuzz/exif_fuzzer.c" \
  "$repo/Sources/CImageCodecs/exif.c" -o "$out/exif_fuzzer" 2>"$out/build-exif.log" \
  || { cat "$out/build-exif.log" >&2; exit 1; }
swift build -c release --package-path "$repo/fuzz/IntakeFuzzer" --scratch-path "$out/swift" \
  -Xswiftc -sanitize=fuzzer,address -Xcc -fsanitize=fuzzer-no-link,address >"$out/build-swift.log" 2>&1 \
  || { cat "$out/build-swift.log" >&2; exit 1; }

cd "$out"
for run in "decode_fuzzer corpus" "exif_fuzzer corpus-exif" "swift/release/IntakeFuzzer corpus"; do
  read -r target corpus <<<"$run"
  echo "$target, $seconds s:"
  "./$target" -max_total_time="$seconds" -rss_limit_mb=1024 -timeout=5 -print_final_stats=1 "$corpus" 2>&1 \
    | grep -E "^(stat::number_of_executed_units|==[0-9]+==ERROR|SUMMARY)" || true
done
test -z "$(ls crash-* leak-* timeout-* oom-* 2>/dev/null)"
