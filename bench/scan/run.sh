#!/usr/bin/env bash
# Scan benchmark: rcmguard scan vs gitleaks v8.30.1 (equivalent PHI rules)
# vs ripgrep (the same regexes) on one generated corpus, one core each,
# then two cores. Prints MB/s and ratios; figures go to
# docs/performance.md ("rcmguard scan performance").
#
#   bench/scan/run.sh [PEOPLE]      # default 20000 patients per file (~78 MB)
#
# Then rcmguard and ripgrep alone, both free to use both cores, on that
# dense corpus and on a sparse one (SPARSE_MB MiB of logs, mail, code,
# notes and exports with an identifier here and there), run for run in
# turn, with wall time and CPU time (user+sys), which a loaded machine
# inflates far less; ripgrep gets the four patterns of issue 12.
#
# Environment: GITLEAKS=/path/to/gitleaks to reuse a binary, GITLEAKS=skip
# to leave it out; RCMGUARD=/path/to/rcmguard to time an earlier build;
# RUNS=3; SPARSE_MB=64.
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
sparse_mb=${SPARSE_MB:-64}
if [ -z "$gitleaks" ]; then
  (cd "$work" && GOBIN="$work/bin" GOFLAGS=-mod=mod go install github.com/zricethezav/gitleaks/v8@v8.30.1)
  gitleaks="$work/bin/gitleaks"
fi
if [ -n "${RCMGUARD:-}" ]; then
  cp "$RCMGUARD" "$work/rcmguard" # an earlier build, to compare
else
  go build -o "$work/rcmguard" ./cmd/rcmguard
fi

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

# cpu CMD...: runs CMD under GNU time; prints "wall_ms cpu_ms".
cpu() {
  /usr/bin/time -o "$work/time" -f '%e %U %S' "$@" >/dev/null 2>&1 || true
  awk -v o="$(tail -1 "$work/time")" 'BEGIN { split(o, f, " "); printf "%d %d\n", f[1]*1000, (f[2]+f[3])*1000 }'
}

# side DIR PATTERNS: rcmguard and ripgrep in turn, RUNS times each; the
# best wall and the best CPU time of each, in MB/s, and the ratios.
side() {
  local dir=$1 pats=$2 bytes mb rw=0 rc=0 lw=0 lc=0 w c
  bytes=$(du -sb "$dir" | cut -f1)
  mb=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1e6 }')
  for _ in $(seq "$runs"); do
    read -r w c < <(cpu "$work/rcmguard" scan "$dir" --format jsonl --workers 2)
    if [ "$rw" = 0 ] || [ "$w" -lt "$rw" ]; then rw=$w; fi
    if [ "$rc" = 0 ] || [ "$c" -lt "$rc" ]; then rc=$c; fi
    read -r w c < <(cpu rg -j 2 -o -n --no-ignore --hidden -f "$pats" "$dir")
    if [ "$lw" = 0 ] || [ "$w" -lt "$lw" ]; then lw=$w; fi
    if [ "$lc" = 0 ] || [ "$c" -lt "$lc" ]; then lc=$c; fi
  done
  awk -v mb="$mb" -v rw="$rw" -v rc="$rc" -v lw="$lw" -v lc="$lc" 'BEGIN {
    printf "  %s MB. rcmguard: %d ms wall, %d ms CPU (%.1f MB/s per core)   ripgrep: %d ms wall, %d ms CPU (%.1f MB/s per core)\n", mb, rw, rc, mb*1000/rc, lw, lc, mb*1000/lc
    printf "  rcmguard takes %.2fx ripgrep'"'"'s wall time and %.2fx its CPU time (goal: at most 2x)\n", rw/lw, rc/lc
  }'
}

echo "corpus: $mb MB in $(find "$work/corpus" -type f | wc -l) files (notes, logs, CSV, TSV, JSON, JSONL, X12)"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); $(go version)"
echo "tools: $(if [ "$gitleaks" = skip ]; then echo "gitleaks skipped"; else "$gitleaks" version 2>/dev/null | sed -n '1s/^/gitleaks /p'; fi), $(rg --version | sed -n 1p)"
echo "best of $runs runs for rcmguard and ripgrep, one run for gitleaks"
if [ "$gitleaks" != skip ]; then
  measure 1
  measure 2
fi
"$work/rcmguard" scan "$work/corpus" --format text | tail -1

# The four patterns issue 12 gave ripgrep: SSN, MBI shape, card, date.
cat > "$work/patterns4" <<'EOP'
\b\d{3}-\d{2}-\d{4}\b
\b[1-9][A-Z][A-Z0-9]\d[A-Z][A-Z0-9]\d[A-Z]{2}\d{2}\b
\b(?:\d[ -]?){13,16}\b
\b\d{1,2}/\d{1,2}/\d{4}\b
EOP
echo "rcmguard (--workers 2) and ripgrep (-j 2, the four patterns) in turn, best of $runs; load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "dense corpus:"
side "$work/corpus" "$work/patterns4"
if [ "$sparse_mb" -gt 0 ]; then
  go run ./bench/scan/gencorpus -sparse "$sparse_mb" -out "$work/sparse"
  echo "sparse corpus ($(find "$work/sparse" -type f | wc -l) files: logs, mail, Go code, notes, CSV exports):"
  side "$work/sparse" "$work/patterns4"
fi
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
