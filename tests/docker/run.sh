#!/usr/bin/env bash
# End-to-end test of docker/ with podman and podman-compose. Builds the three
# images, then: (1) docker/compose.yaml with a short bench (1 cold start, 3
# warm invokes per op): exit status, health checks, non-root users, the
# results file; (2) docker/compose.own-function.yaml with a mounted folder,
# as another uid; (3) the emulator image alone with a mounted bootstrap;
# (4) a bench stopped mid-run exits 130. Takes the project down, also on
# failure, and prints the image sizes. Run by `make docker-test`; not part of
# `make test` (the first build takes minutes).
#
# podman-compose 1.0.3 ignores --abort-on-container-exit and depends_on
# conditions, so this script waits on the bench container itself; the bench
# entry point waits for the shim and the emulator on its own too.
#
# The images are built from the committed tree (git archive HEAD), as from a
# fresh clone; DOCKER_TEST_CONTEXT=worktree builds the working tree instead.
#
# Environment: DOCKER_TEST_KEEP=1 leaves the project up on failure;
# BENCH_PYTHON=1 builds the emulator with python3 + boto3 and measures the
# Python function too.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
project=lambda-ddb-bench-test
compose=(podman-compose -p "$project" -f "$root/docker/compose.yaml")  # the tested tree's, below
say() { echo "docker-test: $*" >&2; }

"$here/install-podman.sh"

context=$root results=""
down() {
  local rc=$?
  if [ $rc -ne 0 ]; then
    for s in shim emulator bench; do
      say "log of $s (tail):"
      podman logs --tail 40 "${project}_${s}_1" 2>&1 | sed 's/^/  /' >&2 || true
    done
    if [ "${DOCKER_TEST_KEEP:-0}" = 1 ]; then
      say "left up (DOCKER_TEST_KEEP=1): ${compose[*]} down"
      exit $rc
    fi
  fi
  "${compose[@]}" down >/dev/null 2>&1 || true
  podman rm -f "${project}_rie" >/dev/null 2>&1 || true
  [ -z "$results" ] || rm -rf "$results" "$results.up.log" "$results.own"
  [ "$context" = "$root" ] || rm -rf "$context"
  [ $rc -eq 0 ] && say "passed" || say "FAILED"
  exit $rc
}
trap down EXIT

if [ "${DOCKER_TEST_CONTEXT:-head}" != worktree ]; then
  context=$(mktemp -d /tmp/docker-test-context.XXXXXX)
  git -C "$root" archive --format=tar HEAD | tar -x -C "$context"
  say "building from $(git -C "$root" rev-parse --short HEAD) (committed tree)"
fi
compose=(podman-compose -p "$project" -f "$context/docker/compose.yaml")

export BENCH_PYTHON=${BENCH_PYTHON:-0}
for target in shim emulator bench; do
  say "building lambda-ddb-bench/$target"
  # docker format keeps the images' HEALTHCHECK (OCI images drop it).
  podman build -q --format docker -f "$context/docker/Dockerfile" --target "$target" \
    --build-arg WITH_PYTHON="$BENCH_PYTHON" -t "lambda-ddb-bench/$target:latest" "$context" >/dev/null
done

# Every binary finds its libraries in its run image (only runtime packages there).
for pair in shim:dynamo-local-shim emulator:lambda-emulator bench:lambda-bench; do
  missing=$(podman run --rm --no-healthcheck --entrypoint ldd "lambda-ddb-bench/${pair%%:*}:latest" \
              "/usr/local/bin/${pair#*:}" | grep 'not found' || true)
  [ -z "$missing" ] || { say "${pair#*:} in its image: $missing"; exit 1; }
done

results=$(mktemp -d /tmp/docker-test-results.XXXXXX)
# Owned by the bench image's user, as a user would prepare it.
chown 10001:10001 "$results"
export BENCH_RESULTS=$results BENCH_COLD=1 BENCH_WARM=3


"${compose[@]}" down >/dev/null 2>&1 || true
say "starting the compose project $project"
# podman without systemd says it cannot schedule the periodic health checks;
# they are run by hand below. The output is shown when something fails.
uplog=$results.up.log
"${compose[@]}" up -d >"$uplog" 2>&1 || { cat "$uplog" >&2; exit 1; }

# Waits for the bench container to exit 0; fails at once if a server stops.
bench=${project}_bench_1
wait_bench() {
  say "waiting for $bench (at most 600 s)"
  local deadline=$((SECONDS + 600)) s status
  while [ "$(podman inspect -f '{{.State.Status}}' "$bench")" != exited ]; do
    for s in shim emulator; do
      if [ "$(podman inspect -f '{{.State.Running}}' "${project}_${s}_1")" != true ]; then
        say "${project}_${s}_1 stopped while the bench ran"
        exit 1
      fi
    done
    [ $SECONDS -lt $deadline ] || { say "$bench did not finish in 600 s"; exit 1; }
    sleep 1
  done
  status=$(podman inspect -f '{{.State.ExitCode}}' "$bench")
  [ "$status" = 0 ] || { say "$bench exited with $status"; exit 1; }
}
wait_bench

declare -A ports=([shim]=8000 [emulator]=8080)
for s in shim emulator; do
  c=${project}_${s}_1
  [ "$(podman inspect -f '{{.State.Running}}' "$c")" = true ] || { say "$c is not running"; exit 1; }
  podman healthcheck run "$c" >/dev/null || { say "$c: health check failed"; exit 1; }
  # The check can fail: nothing listens on port 1, and a wrong answer is not health.
  ! podman exec "$c" healthcheck 1 / healthy: 2>/dev/null || { say "$c: health check of port 1 passed"; exit 1; }
  ! podman exec "$c" healthcheck "${ports[$s]}" / no-such-text 2>/dev/null ||
    { say "$c: health check passed on a wrong answer"; exit 1; }
  # The image carries it too, for `docker run` without compose.
  [ "$(podman image inspect -f '{{json .Config.Healthcheck}}' "lambda-ddb-bench/$s:latest")" != null ] ||
    { say "lambda-ddb-bench/$s has no HEALTHCHECK"; exit 1; }
  uid=$(podman exec "$c" id -u)
  [ "$uid" != 0 ] || { say "$c runs as root"; exit 1; }
  say "$s: healthy, uid $uid"
done

python3 "$here/check_results.py" "$results" --warm "$BENCH_WARM" --cold "$BENCH_COLD" \
  $([ "$BENCH_PYTHON" = 1 ] && echo --python)
owner=$(stat -c %u "$results/lambda-bench.json")
[ "$owner" = 10001 ] || { say "results written by uid $owner, not the bench user 10001"; exit 1; }

# The emulator's own REPORT lines for the bench's invocations.
reports=$(podman logs "${project}_emulator_1" 2>&1 | grep -c '^REPORT RequestId:' || true)
say "emulator logged $reports REPORT lines"
[ "$reports" -ge $((BENCH_COLD * 2 + BENCH_WARM * 6)) ] || { say "too few REPORT lines"; exit 1; }

# Phase 2: a user's own function, mounted as a folder through
# compose.own-function.yaml. It is ours, unpacked, behind a bootstrap script
# that leaves a mark in the emulator's log, so the run shows which code ran.
# The bench runs as another uid (BENCH_USER), as a CI user's would.
say "phase 2: an own function mounted with docker/compose.own-function.yaml"
"${compose[@]}" down >/dev/null 2>&1 || true
own=$results.own
mkdir -p "$own/fn" "$results/own"
chown 4242:4242 "$results/own"
podman run --rm --no-healthcheck --entrypoint cat lambda-ddb-bench/bench:latest \
  /opt/lambda-bench/function.zip >"$own/function.zip"
unzip -q "$own/function.zip" -d "$own/fn"
mv "$own/fn/bootstrap" "$own/fn/bench-function"
printf '#!/bin/sh\necho "own function: %s" >&2\nexec "$LAMBDA_TASK_ROOT/bench-function"\n' \
  "$project-marker" >"$own/fn/bootstrap"
chmod 755 "$own/fn/bootstrap"
base_compose=("${compose[@]}")
compose+=(-f "$context/docker/compose.own-function.yaml")
export FUNCTION=$own/fn BENCH_RESULTS=$results/own BENCH_COLD=1 BENCH_WARM=1 BENCH_USER=4242:4242
"${compose[@]}" up -d >"$uplog" 2>&1 || { cat "$uplog" >&2; exit 1; }
wait_bench
python3 "$here/check_results.py" "$results/own" --warm 1 --cold 1 --function /opt/own-function \
  $([ "$BENCH_PYTHON" = 1 ] && echo --python)
# (The log is read whole first: grep -q would stop the pipe early, which
# pipefail reports as a failure.)
emulog=$(podman logs "${project}_emulator_1" 2>&1)
grep -q "own function: $project-marker" <<<"$emulog" ||
  { say "the mounted function's bootstrap did not run"; exit 1; }
owner=$(stat -c %u "$results/own/lambda-bench.json")
[ "$owner" = 4242 ] || { say "results written by uid $owner, not BENCH_USER 4242"; exit 1; }

# Phase 3: the emulator image alone, RIE-style, running a mounted bootstrap
# (the folder of phase 2) and published on a free loopback port.
say "phase 3: the emulator image alone with a mounted bootstrap"
rie=${project}_rie
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
podman run -d --name "$rie" --no-healthcheck -p "127.0.0.1:$port:8080" -v "$own/fn:/var/task:ro" \
  lambda-ddb-bench/emulator:latest ./bootstrap >/dev/null
answer=""
for _ in $(seq 50); do  # up to 5 s for the emulator to listen
  answer=$(curl -sS --max-time 10 -XPOST -d '{"op":"scan"}' \
             "http://127.0.0.1:$port/2015-03-31/functions/function/invocations" 2>/dev/null) && break
  sleep 0.1
done
# No DynamoDB call is made for an unknown op: the function answers 400 itself.
case "$answer" in
  *'"statusCode":400'*'unknown op'*) say "RIE-style invoke answered: ${answer:0:60}..." ;;
  *) say "RIE-style invoke answered '$answer'"; podman logs "$rie" >&2; exit 1 ;;
esac

# Phase 4: stopping the bench mid-run (what Ctrl-C on `compose up` does)
# stops lambda-bench through its signal handler: exit 130, not a SIGKILL
# (137) after the stop timeout.
say "phase 4: the bench stopped mid-run"
compose=("${base_compose[@]}")
"${compose[@]}" down >/dev/null 2>&1 || true
mkdir -p "$results/stop" && chown 10001:10001 "$results/stop"
unset BENCH_USER FUNCTION
export BENCH_RESULTS=$results/stop BENCH_COLD=0 BENCH_WARM=100000
"${compose[@]}" up -d >"$uplog" 2>&1 || { cat "$uplog" >&2; exit 1; }
for _ in $(seq 600); do  # until it measures, at most 60 s
  [[ $(podman logs "$bench" 2>&1) == *"bench-run: measuring"* ]] && break
  sleep 0.1
done
sleep 1
podman stop -t 30 "$bench" >/dev/null
status=$(podman inspect -f '{{.State.ExitCode}}' "$bench")
[ "$status" = 130 ] || { say "stopped bench exited with $status, expected 130"; exit 1; }
[ ! -e "$results/stop/lambda-bench.json" ] || { say "an interrupted run wrote results"; exit 1; }
say "stopped bench exited with 130, no results written"

say "image sizes:"
for target in shim emulator bench; do
  printf '  lambda-ddb-bench/%-9s %s\n' "$target" \
    "$(podman image inspect -f '{{.Size}}' "lambda-ddb-bench/$target:latest" |
       awk '{printf "%.1f MB", $1 / 1e6}')" >&2
done
