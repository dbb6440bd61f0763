#!/bin/bash
# The bench container's entry point: waits for dynamo-local-shim and
# lambda-emulator, creates the article's table (25 items) on the shim,
# creates the functions on the emulator from their zips, runs lambda-bench
# against the emulator and exits with lambda-bench's status. Results
# (lambda-bench.json, .md, .svg) go to $BENCH_OUT, a mounted folder.
# Arguments are passed on to lambda-bench. See docker/README.md.
set -euo pipefail

SHIM_URL=${SHIM_URL:-http://shim:8000}
EMULATOR_URL=${EMULATOR_URL:-http://emulator:8080}
# DynamoDB as the functions see it from inside the emulator container.
FUNCTION_DYNAMODB_URL=${FUNCTION_DYNAMODB_URL:-$SHIM_URL}
BENCH_OUT=${BENCH_OUT:-/results}
BENCH_COLD=${BENCH_COLD:-3}
BENCH_WARM=${BENCH_WARM:-20}
BENCH_OPS=${BENCH_OPS:-put,get,query,batch_write,update,delete}
BENCH_MEMORY=${BENCH_MEMORY:-128}
BENCH_PYTHON=${BENCH_PYTHON:-0}
BENCH_FUNCTION=${BENCH_FUNCTION:-/opt/lambda-bench/function.zip}
BENCH_FUNCTION_HANDLER=${BENCH_FUNCTION_HANDLER:-bootstrap}
BENCH_FUNCTION_ENV=${BENCH_FUNCTION_ENV:-}
BENCH_WAIT_SECONDS=${BENCH_WAIT_SECONDS:-120}
TABLE_NAME=${TABLE_NAME:-lambda-rust-bench}
python_zip=/opt/lambda-bench/function-python.zip
# Fixed local credentials: the emulator accepts any, and with them
# lambda-bench signs its requests as it does against AWS.
export AWS_ACCESS_KEY_ID=AKIDLOCALBENCH AWS_SECRET_ACCESS_KEY=local-bench-secret
export AWS_REGION=${AWS_REGION:-us-east-1}

say() { echo "bench-run: $*" >&2; }
fail() { say "$*"; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# POST a JSON file to a URL; the answer lands in $work/answer and the HTTP
# status is printed.
post() { # URL FILE [HEADER...]
  local url=$1 file=$2; shift 2
  local args=()
  for h in "$@"; do args+=(-H "$h"); done
  curl -sS -o "$work/answer" -w '%{http_code}' --max-time 60 "${args[@]}" \
       --data-binary "@$file" "$url"
}

dynamodb() { # OPERATION FILE
  local code
  code=$(post "$SHIM_URL" "$2" "Content-Type: application/x-amz-json-1.0" \
              "X-Amz-Target: DynamoDB_20120810.$1")
  if [ "$code" != 200 ]; then
    # A shim kept from an earlier run already has the table.
    if [ "$1" = CreateTable ] && grep -q ResourceInUseException "$work/answer"; then
      return 0
    fi
    fail "DynamoDB $1 at $SHIM_URL: HTTP $code $(head -c 300 "$work/answer")"
  fi
}

# JSON string escaping for the few characters a variable value may hold.
json_str() { local s=${1//\\/\\\\}; s=${s//\"/\\\"}; printf '"%s"' "$s"; }

# A zip from a zip, a folder holding a bootstrap, or a bootstrap file.
as_zip() { # PATH OUTZIP
  if [ -d "$1" ]; then
    [ -e "$1/bootstrap" ] || fail "$1 has no bootstrap"
    (cd "$1" && zip -q -r -X "$2" .)
  elif [ "$(head -c 2 "$1")" = PK ]; then
    cp "$1" "$2"
  else
    local d="$work/fn-$$"
    mkdir -p "$d" && cp "$1" "$d/bootstrap" && chmod 755 "$d/bootstrap"
    (cd "$d" && zip -q -X "$2" bootstrap)
  fi
}

create_function() { # NAME ZIP HANDLER
  local name=$1 zip=$2 handler=$3 body="$work/create.json" vars kv
  vars="\"AWS_ENDPOINT_URL_DYNAMODB\":$(json_str "$FUNCTION_DYNAMODB_URL"),\"TABLE_NAME\":$(json_str "$TABLE_NAME")"
  for kv in $BENCH_FUNCTION_ENV; do
    [[ $kv == *=* ]] || fail "BENCH_FUNCTION_ENV: '$kv' is not KEY=VALUE"
    vars+=",$(json_str "${kv%%=*}"):$(json_str "${kv#*=}")"
  done
  {
    printf '{"FunctionName":"%s","Runtime":"provided.al2023",' "$name"
    printf '"Role":"arn:aws:iam::000000000000:role/lambda-bench","Handler":%s,' "$(json_str "$handler")"
    printf '"MemorySize":%d,"Timeout":30,"Environment":{"Variables":{%s}},' "$BENCH_MEMORY" "$vars"
    printf '"Code":{"ZipFile":"'
    base64 -w0 "$zip"
    printf '"}}'
  } >"$body"
  local code
  code=$(post "$EMULATOR_URL/2015-03-31/functions" "$body" "Content-Type: application/json")
  if [ "$code" = 409 ]; then # left from an earlier run against the same emulator
    curl -sS -o /dev/null -X DELETE "$EMULATOR_URL/2015-03-31/functions/$name"
    code=$(post "$EMULATOR_URL/2015-03-31/functions" "$body" "Content-Type: application/json")
  fi
  [ "$code" = 201 ] || [ "$code" = 200 ] ||
    fail "CreateFunction $name: HTTP $code $(head -c 300 "$work/answer")"
}

mkdir -p "$BENCH_OUT" 2>/dev/null || true
if ! touch "$BENCH_OUT/.writable" 2>/dev/null; then
  fail "$BENCH_OUT is not writable by uid $(id -u): create the folder first and run" \
       "the bench as its owner (BENCH_USER=\"\$(id -u):\$(id -g)\", see docker/README.md)"
fi
rm -f "$BENCH_OUT/.writable"

say "waiting for $SHIM_URL and $EMULATOR_URL (at most ${BENCH_WAIT_SECONDS} s)"
deadline=$((SECONDS + BENCH_WAIT_SECONDS))
until curl -fsS --max-time 2 "$SHIM_URL/" 2>/dev/null | grep -q healthy &&
      curl -fsS --max-time 2 -o /dev/null "$EMULATOR_URL/2015-03-31/functions/" 2>/dev/null; do
  [ $SECONDS -lt $deadline ] || fail "the shim or the emulator did not answer in ${BENCH_WAIT_SECONDS} s"
  sleep 0.5
done

say "creating table $TABLE_NAME with 25 items"
cat >"$work/table.json" <<JSON
{"TableName":$(json_str "$TABLE_NAME"),"BillingMode":"PAY_PER_REQUEST",
 "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"S"}],
 "KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}]}
JSON
dynamodb CreateTable "$work/table.json"
data=$(printf 'x%.0s' $(seq 1000))
now=$(date +%s)
{
  printf '{"RequestItems":{%s:[' "$(json_str "$TABLE_NAME")"
  for i in $(seq 0 24); do
    [ "$i" = 0 ] || printf ','
    printf '{"PutRequest":{"Item":{"pk":{"S":"bench"},"sk":{"S":"item-%d"},"data":{"S":"%s"},"timestamp":{"N":"%s"}}}}' \
      "$i" "$data" "$now"
  done
  printf ']}}'
} >"$work/seed.json"
dynamodb BatchWriteItem "$work/seed.json"

say "creating the functions on $EMULATOR_URL"
[ -e "$BENCH_FUNCTION" ] || fail "BENCH_FUNCTION=$BENCH_FUNCTION does not exist (mounted?)"
as_zip "$BENCH_FUNCTION" "$work/function.zip"
create_function bench-c "$work/function.zip" "$BENCH_FUNCTION_HANDLER"
argv=(lambda-bench --endpoint "$EMULATOR_URL" --region "$AWS_REGION" --c bench-c
      --cold "$BENCH_COLD" --warm "$BENCH_WARM" --ops "$BENCH_OPS" --out "$BENCH_OUT"
      --label "where=docker compose: dynamo-local-shim at $FUNCTION_DYNAMODB_URL, lambda-emulator at $EMULATOR_URL"
      --label "function=$BENCH_FUNCTION")
if [ "$BENCH_PYTHON" = 1 ]; then
  create_function bench-python "$python_zip" lambda_function.lambda_handler
  argv+=(--python bench-python)
fi

say "measuring: $BENCH_COLD cold starts, $BENCH_WARM warm invokes per op; results in $BENCH_OUT"
# As PID 1 this shell gets the container's SIGTERM (docker stop, Ctrl-C on
# compose up): it is passed on to lambda-bench, which stops on it (it puts
# the functions' configuration back and exits 130). SIGTERM, because a
# background job of a script starts with SIGINT ignored.
"${argv[@]}" "$@" &
pid=$!
trap 'kill -TERM "$pid" 2>/dev/null || true' INT TERM
set +e
wait "$pid"
rc=$?
while [ $rc -gt 128 ] && kill -0 "$pid" 2>/dev/null; do  # wait was cut short by the trap
  wait "$pid"
  rc=$?
done
set -e
say "lambda-bench exited with $rc"
exit $rc
