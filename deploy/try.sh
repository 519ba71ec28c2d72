#!/usr/bin/env bash
# The main job, on this machine, with the embedded model: installs what is
# missing, builds, starts fashionsortd on a local state directory, drops the
# sample photos (and one broken file) into its inbox, then shows the results
# CSV and where each photo was filed. The daemon is stopped with SIGTERM.
set -euo pipefail
cd "$(dirname "$0")/.."
. deploy/deps.sh
fashionsort_install_deps
swift build -c release
bin=$(swift build -c release --show-bin-path)
state="${FASHIONSORT_TRY_ROOT:-$PWD/.try}"
rm -rf "$state"

"$bin/fashionsortd" --root "$state" --instance try 2> "$state.log" &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q ' ready' "$state.log" 2>/dev/null && break; sleep 0.1; done
grep -q ' ready' "$state.log" || { cat "$state.log"; echo "fashionsortd did not start" >&2; exit 1; }

photos=$(ls samples/*.png samples/*.jpg | wc -l)
cp samples/*.png samples/*.jpg "$state/inbox/"
printf 'this is not a photo\n' > "$state/inbox/broken.jpg"
expected=$((photos + 1))
csv="$state/results/$(date -u +%F)-try.csv"
for _ in $(seq 300); do
  rows=0
  [ -f "$csv" ] && rows=$(($(wc -l < "$csv") - 1))
  [ "$rows" -ge "$expected" ] && break
  sleep 0.1
done
kill -TERM $pid; wait $pid || true; trap - EXIT

echo "== $csv (first rows; columns file, status, class, confidence)"
cut -d, -f2,4,6,7 "$csv" | head -12
echo "..."
echo "== filed"
for d in out review; do
  for c in "$state/$d"/*/; do n=$(ls "$c" | wc -l); [ "$n" -gt 0 ] && echo "  $d/$(basename "$c"): $n"; done
done
echo "  other (none of the classes): $(ls "$state/other" | wc -l) ($(grep ',other,' "$csv" | cut -d, -f2 | tr '\n' ' '))"
echo "  rejected: $(ls "$state/rejected" | wc -l) ($(grep -c ',rejected,' "$csv") row: $(grep ',rejected,' "$csv" | cut -d, -f2,13))"
echo "== accuracy on the samples (manifest.csv holds the expected classes)"
awk -F, 'NR==FNR { if (FNR > 1) want[$1] = $3; next } FNR > 1 && ($2 in want) { n++; if ($6 == want[$2]) ok++ }
         END { printf "  %d of %d sample photos classified as their Fashion-MNIST label\n", ok, n }' samples/manifest.csv "$csv"
"$bin/fashionsort" status --root "$state"
echo "state directory: $state (log: $state.log)"
