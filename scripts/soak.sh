#!/usr/bin/env bash
# The long form of the fault tests (the daemon's, and back-to-back `once`
# runs under 20% failed Discord requests): more releases, more SIGKILLs.
#   scripts/soak.sh [releases] [kills] [seed]
set -euo pipefail
cd "$(dirname "$0")/.."
export NATOWATCH_FAULT_RELEASES="${1:-200}"
export NATOWATCH_FAULT_KILLS="${2:-150}"
[ -n "${3:-}" ] && export NATOWATCH_FAULT_SEED="$3"
exec go test -count=1 -timeout 60m -run '^(TestFaults|TestOnceFaults)$' -v ./cmd/natowatch/ 2>&1 | grep -v '^{'
