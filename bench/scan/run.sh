#!/usr/bin/env bash
# Scan benchmark: rcmguard scan vs gitleaks v8.30.1 (equivalent PHI rules)
# vs ripgrep (the same regexes) on one generated corpus, one core each,
# then two cores. Prints MB/s and ratios; figures go to
# docs/performance.md ("rcmguard scan performance").
#
#   bench/scan/run.sh [PEOPLE]      # default 20000 patients per file (~78 MB)
#
# Environment: GITLEAKS=/path/to/gitleaks to reuse a binary; RUNS=3.
set -euo pipefail
cd "$(dirname "$0")/../.."
people=${1:-20000}
runs=${RUNS:-3}
work=$(mktemp -d /tmp/rcmguard-scanbench.XXXXXX)
trap 'rm -rf "$work"' EXIT

# Tools. gitleaks is built into a temporary GOBIN: it is not a
# dependency of the rcmguard module.
if ! command -v rg >/dev/null; then
  apt-get update -q >/dev/null && apt-get install -y -q ripgrep >/dev/null
fi
gitleaks=${GITLEAKS:-}
if [ -z "$gitleaks" ]; then
  (cd "$work" && GOBIN="$work/bin" GOFLAGS=-mod=mod go install github.com/zricethezav/gitleaks/v8@v8.30.1)
  gitleaks="$work/bin/gitleaks"
fi
go build -o "$work/rcmguard" ./cmd/rcmguard

echo "generating corpus ($people patients per file)…"
go run ./bench/scan/gencorpus -people "$people" -out "$work/corpus"
bytes=$(du -sb "$work/corpus" | cut -f1)
mb=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1e6 }')

# ripgrep gets the rules file's regexes, one per line.
sed -n "s/^regex = '''\(.*\)'''$/\1/p" bench/scan/phi-rules.toml > "$work/patterns"

# best N CMD...: the fastest of N runs, in milliseconds.
best() {
  local n=$1 b=""
  shift
  for _ in $(seq "$n"); do
    local s e t
    s=$(date +%s%N)
    "$@" >/dev/null 2>&1 || true
    e=$(date +%s%N)
    t=$(( (e - s) / 1000000 ))
    if [ -z "$b" ] || [ "$t" -lt "$b" ]; then b=$t; fi
  done
  echo "$b"
}

measure() { # label cpus
  local cpus=$1 pin=()
  [ "$cpus" = 1 ] && pin=(taskset -c 0)
  local tr tg tl
  tr=$(best "$runs" "${pin[@]}" "$work/rcmguard" scan "$work/corpus" --format jsonl --workers "$cpus")
  tl=$(best "$runs" "${pin[@]}" rg -j "$cpus" -o --no-filename --no-ignore --hidden -f "$work/patterns" "$work/corpus")
  # gitleaks is two orders of magnitude slower: one run is enough.
  tg=$(best 1 "${pin[@]}" "$gitleaks" dir "$work/corpus" -c bench/scan/phi-rules.toml --no-banner --exit-code 0 \
        --log-level error --report-format json --report-path "$work/gitleaks.json")
  awk -v mb="$mb" -v r="$tr" -v l="$tl" -v g="$tg" -v c="$cpus" 'BEGIN {
    printf "%d core(s): rcmguard %7.1f MB/s   ripgrep %7.1f MB/s   gitleaks %6.1f MB/s\n", c, mb*1000/r, mb*1000/l, mb*1000/g
    printf "           rcmguard vs gitleaks: %.1fx faster; rcmguard vs ripgrep: %.2fx of its speed (ripgrep %.2fx faster)\n", g/r, l/r, r/l
  }'
}

echo "corpus: $mb MB in $(find "$work/corpus" -type f | wc -l) files (notes, logs, CSV, TSV, JSON, JSONL, X12)"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); $(go version)"
echo "tools: $("$gitleaks" version 2>/dev/null | head -1 | sed 's/^/gitleaks /'), $(rg --version | head -1)"
echo "best of $runs runs for rcmguard and ripgrep, one run for gitleaks"
measure 1
measure 2
"$work/rcmguard" scan "$work/corpus" --format text | tail -1
