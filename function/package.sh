#!/usr/bin/env bash
# Packs the C benchmark function for a provided.al2023 Lambda:
#   function.zip: bootstrap (bench-function) + lib/libcjson.so.1
# and the Python one:
#   function-python.zip: lambda_function.py + bootstrap (runtime python3.x
#   with handler lambda_function.lambda_handler on AWS; the bootstrap makes the
#   same zip a provided.* function where no Python runtime is offered, as on
#   the local emulator)
# Usage: function/package.sh BENCH_FUNCTION_BINARY OUT_ZIP
#
# AL2023 has libcurl, OpenSSL 3 and zlib but not cJSON, so cJSON is shipped in
# lib/ (Lambda puts $LAMBDA_TASK_ROOT/lib on LD_LIBRARY_PATH, and the binary's
# RUNPATH $ORIGIN/lib finds it anywhere else). AL2023 has glibc 2.34: the
# packing fails when the binary needs a newer symbol version.
set -euo pipefail
bin=${1:?usage: package.sh BENCH_FUNCTION_BINARY OUT_ZIP}
out=${2:?usage: package.sh BENCH_FUNCTION_BINARY OUT_ZIP}
here=$(cd "$(dirname "$0")" && pwd)
max_glibc=2.34

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/c/lib" "$stage/py"
install -m 755 "$bin" "$stage/c/bootstrap"
cjson=$(ldd "$bin" | awk '/libcjson\.so/ {print $3}')
if [ -z "$cjson" ] || [ ! -e "$cjson" ]; then
  echo "package: $bin does not link libcjson dynamically; nothing to ship?" >&2
  exit 1
fi
install -m 644 "$(readlink -f "$cjson")" "$stage/c/lib/libcjson.so.1"

need=$(objdump -T "$stage/c/bootstrap" "$stage/c/lib/libcjson.so.1" |
       grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -1)
if [ "$(printf '%s\n%s\n' "$need" "$max_glibc" | sort -V | tail -1)" != "$max_glibc" ]; then
  echo "package: bootstrap needs glibc $need; provided.al2023 has $max_glibc" >&2
  exit 1
fi

out_abs=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")
rm -f "$out_abs"
(cd "$stage/c" && zip -q -X -r "$out_abs" bootstrap lib)
py_out="${out_abs%.zip}-python.zip"
rm -f "$py_out"
install -m 644 "$here/python/lambda_function.py" "$stage/py/"
install -m 755 "$here/python/bootstrap" "$stage/py/"
(cd "$stage/py" && zip -q -X "$py_out" lambda_function.py bootstrap)
echo "package: $out_abs ($(stat -c %s "$out_abs") bytes; bootstrap needs glibc >= $need)"
echo "package: $py_out"
