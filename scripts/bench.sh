#!/bin/sh
# scripts/bench.sh [flags] [targets...] runs natowatch's end-to-end
# benchmarks (issue #5) and prints each result beside its target; see
# BENCHMARKS.md for the results and for the package benchmarks
# (go test -bench). Targets: pipeline idle once match fanout latency
# footprint, or all (the default). Flags: -runs N (repetitions, medians;
# default 5), -quick (smaller sizes), -json FILE, -cpuprofile FILE.
# Exit status 3 when a target is missed.
set -eu
cd "$(dirname "$0")/.."
command -v urlwatch >/dev/null 2>&1 ||
	echo "bench.sh: urlwatch is not installed (apt-get install urlwatch); the once target needs it" >&2
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT INT TERM
go build -o "$bin/natowatch-bench" ./cmd/natowatch-bench
# natowatch as the Dockerfile builds it.
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$bin/natowatch" ./cmd/natowatch
"$bin/natowatch-bench" -natowatch "$bin/natowatch" "$@"
