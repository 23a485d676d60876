#!/usr/bin/env bash
# Monitor benchmark: rcmguard monitor vs fail2ban-regex (Debian's fail2ban,
# sshd filter) on one generated auth.log. Prints the time each takes, the
# failing addresses each finds, and both against the generator's ground
# truth; then the Go benchmark of parse+detect per core. Figures go to
# docs/performance.md ("Log monitoring").
#
#   bench/monitor/run.sh [LINES]      # default 200000 lines (~18 MB)
#
# Needs /usr/bin/fail2ban-regex (apt-get install fail2ban) and jq.
set -euo pipefail
cd "$(dirname "$0")/../.."
lines=${1:-200000}
work=$(mktemp -d /tmp/rcmguard-monbench.XXXXXX)
trap 'rm -rf "$work"' EXIT
command -v fail2ban-regex >/dev/null || { echo "fail2ban-regex not found (apt-get install fail2ban)" >&2; exit 2; }
command -v jq >/dev/null || { echo "jq not found" >&2; exit 2; }

go build -o "$work/rcmguard" ./cmd/rcmguard
go run ./bench/monitor/genlog -lines "$lines" -out "$work/auth.log"
log="$work/auth.log"
printf 'log: %s lines, %s bytes, %s attacking addresses (ground truth)\n' \
  "$(wc -l <"$log")" "$(wc -c <"$log")" "$(wc -l <"$log.attackers")"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"

# rcmguard: the addresses of D01/D02/D07 alerts (brute force, slow
# guessing, invalid-user probing: the ones grouped by source address).
t0=$(date +%s.%N)
"$work/rcmguard" monitor "$log" --format jsonl --year-from 2026-03-09 >"$work/alerts.jsonl" 2>"$work/monitor.err"
t1=$(date +%s.%N)
jq -r 'select(.detection=="D01" or .detection=="D02" or .detection=="D07") | .source_ip' "$work/alerts.jsonl" | sort -u >"$work/ours"
cat "$work/monitor.err"

# fail2ban-regex matches every line its sshd filter takes for a failure;
# -o ip prints the address of each match. It applies no maxretry/findtime,
# so the addresses with >= 5 matches (the Debian jail's maxretry) are
# given as well.
t2=$(date +%s.%N)
fail2ban-regex -r -o ip "$log" sshd >"$work/f2b.out" 2>"$work/f2b.err"
t3=$(date +%s.%N)
grep -E '^[0-9a-fA-F.:]+$' "$work/f2b.out" | sort >"$work/f2b.all"
uniq "$work/f2b.all" >"$work/f2b.any"
uniq -c "$work/f2b.all" | awk '$1 >= 5 {print $2}' >"$work/f2b.5"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

truth="$log.attackers"
cmp_truth() { # name file
  local found tp
  found=$(wc -l <"$2")
  tp=$(comm -12 "$2" "$truth" | wc -l)
  printf '%-34s %6d addresses, %4d of %d attackers, %5d others\n' "$1" "$found" "$tp" "$(wc -l <"$truth")" $((found - tp))
}
echo
printf 'rcmguard monitor:   %6.2f s wall\n' "$(echo "$t1 - $t0" | bc)"
printf 'fail2ban-regex:     %6.2f s wall\n' "$(echo "$t3 - $t2" | bc)"
cmp_truth "rcmguard (D01/D02/D07 alerts)" "$work/ours"
cmp_truth "fail2ban-regex (any match)" "$work/f2b.any"
cmp_truth "fail2ban-regex (>= 5 matches)" "$work/f2b.5"
echo
go test ./internal/monitor/ -run '^$' -bench . -benchtime 5x -cpu 1 | grep Benchmark
