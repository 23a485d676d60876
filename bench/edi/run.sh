#!/bin/sh
# Side-by-side parse speed: rcmguard's internal/x12 reader against the npm
# package node-x12, on the same generated 837P file, in one run.
#
#   bench/edi/run.sh            # 16 MiB corpus, best of 3 runs each
#   CORPUS_MB=64 RUNS=5 NODE_PARSE=0 bench/edi/run.sh
#
# NODE_PARSE=0 skips node-x12's whole-file parse() mode, which is slow and
# holds the whole object model in memory. Needs go, node and npm; installs
# node-x12 into a temporary directory, never into the repository.
set -eu

NODE_X12_VERSION=${NODE_X12_VERSION:-1.7.1}
CORPUS_MB=${CORPUS_MB:-16}
RUNS=${RUNS:-3}
NODE_PARSE=${NODE_PARSE:-1}

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

echo "machine: $(uname -sm), $(nproc) cpu(s): $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2 | sed 's/^ //')"
echo "go: $(go version | cut -d' ' -f3)   node: $(node --version)   node-x12: $NODE_X12_VERSION"

npm view "node-x12@$NODE_X12_VERSION" version >/dev/null
(cd "$work" && npm init -y >/dev/null && npm install --no-audit --no-fund --silent "node-x12@$NODE_X12_VERSION" >/dev/null)
cp "$here/parse-node-x12.js" "$work/"

(cd "$repo" && go build -o "$work/x12bench" ./bench/edi/x12bench)
corpus="$work/corpus.x12"
"$work/x12bench" gen -mb "$CORPUS_MB" -o "$corpus"
cat "$corpus" >/dev/null # into the page cache, so neither side pays for the disk
echo "corpus: $(wc -c <"$corpus") bytes, $CORPUS_MB MiB of 837P claims"

# best RUNS... prints the highest mbps= value of the given command's runs.
best() {
	n=$1
	shift
	i=0
	top=0
	while [ "$i" -lt "$n" ]; do
		line=$("$@")
		echo "  $line" >&2
		v=$(echo "$line" | sed -n 's/.*mbps=\([0-9.]*\).*/\1/p')
		top=$(awk -v a="$top" -v b="$v" 'BEGIN { print (b > a) ? b : a }')
		i=$((i + 1))
	done
	echo "$top"
}

echo "rcmguard x12.Reader (stream):"
go_mbps=$(best "$RUNS" "$work/x12bench" parse "$corpus")
echo "node-x12 X12Parser (stream):"
node_stream=$(best "$RUNS" node "$work/parse-node-x12.js" "$corpus" stream)
node_parse=""
if [ "$NODE_PARSE" = 1 ]; then
	echo "node-x12 X12Parser.parse (whole file):"
	node_parse=$(cd "$work" && best 1 node parse-node-x12.js "$corpus" parse)
fi

echo
printf '%-36s %10s MB/s\n' "rcmguard internal/x12 (stream)" "$go_mbps"
printf '%-36s %10s MB/s   ratio %sx\n' "node-x12 $NODE_X12_VERSION (stream)" "$node_stream" \
	"$(awk -v a="$go_mbps" -v b="$node_stream" 'BEGIN { printf "%.1f", a / b }')"
if [ -n "$node_parse" ]; then
	printf '%-36s %10s MB/s   ratio %sx\n' "node-x12 $NODE_X12_VERSION (parse)" "$node_parse" \
		"$(awk -v a="$go_mbps" -v b="$node_parse" 'BEGIN { printf "%.1f", a / b }')"
fi
