#!/usr/bin/env bash
# Prints lambda-emulator's figures: warm invoke round trip at concurrency 1
# and 2 with a no-op C runtime, cold-start overhead, emulator RSS.
# Usage: bench/emulator/run.sh [BIN_DIR] [SECONDS]   (default build/bin, 5)
# Extra emulator options may be given in EMU_OPTS (e.g. "--no-cgroups").
set -euo pipefail
bin=${1:-build/bin}
secs=${2:-5}
for b in lambda-emulator test-runtime bench-emulator; do
  [ -x "$bin/$b" ] || { echo "run.sh: $bin/$b is not built" >&2; exit 1; }
done
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# Function logs go to /dev/null: the bench measures the emulator, not a terminal.
read -r -a extra <<<"${EMU_OPTS:-}"
"$bin/lambda-emulator" --port "$port" --log-file /dev/null --max-concurrency 4 \
  --memory-size 1769 "${extra[@]}" -- "$bin/test-runtime" >/dev/null 2>&1 &
emu=$!
trap 'kill $emu 2>/dev/null; wait $emu 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.05
done
echo "lambda-emulator figures (${EMU_OPTS:-cgroups on}; $(nproc) cores; ${secs}s per run)"
echo "goals: warm p50 <= 120 us, >= 10,000 invokes/s, cold-start overhead <= 2 ms, RSS <= 10 MB"
"$bin/bench-emulator" dryrun "$port" 1 "$secs"
"$bin/bench-emulator" warm "$port" 1 "$secs"
"$bin/bench-emulator" warm "$port" 2 "$secs"
"$bin/bench-emulator" cold "$port" 50
"$bin/bench-emulator" spawn "$bin/test-runtime" 50
"$bin/bench-emulator" rss "$emu"
