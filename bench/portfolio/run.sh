#!/bin/sh
# Load at a billing company's scale (issue 12, item 9): 400 client
# workspaces of about 1,000 risks each on PostgreSQL, 50 signed-in users in
# a closed loop, every page. Prints the machine's load before and after,
# then BenchmarkPortfolioLoad's figures (p50/p95/p99 at the load generator,
# srv-p95/srv-p99 inside the server, throughput).
#
#   TEST_PG_DSN='postgres://postgres@127.0.0.1:55432/postgres?sslmode=disable' bench/portfolio/run.sh
#   REQUESTS=2000 PAGES=dashboard,register STINT=1 bench/portfolio/run.sh
#
# The first run builds the fixture into a PostgreSQL schema named
# bench_portfolio_<hash> (a few minutes; about 5 GB); later runs reuse it.
# DROP SCHEMA … CASCADE to rebuild or to free the space. STINT is how many
# pages a user views in one client before moving to the next (default 20;
# 1: every request to another client). PAGES limits the pages measured.
set -eu

: "${TEST_PG_DSN:?set TEST_PG_DSN to a PostgreSQL the benchmark may create a schema in}"
REQUESTS=${REQUESTS:-1000}
repo=$(cd "$(dirname "$0")/../.." && pwd)

echo "machine: $(uname -sm), $(nproc) cpu(s): $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2 | sed 's/^ //')"
echo "go: $(go version | cut -d' ' -f3)   postgres: $(psql "$TEST_PG_DSN" -Atc 'SHOW server_version' 2>/dev/null || echo '?')"
echo "before: $(uptime)"
cd "$repo"
RCMGUARD_BENCH_PAGES=${PAGES:-} RCMGUARD_BENCH_STINT=${STINT:-} \
  go test ./internal/web -run '^$' -bench PortfolioLoad -benchtime "${REQUESTS}x" -timeout 90m -v |
  grep -E '^(Benchmark|ok|FAIL|---|\s+portfolio_bench)'
echo "after: $(uptime)"
