#!/usr/bin/env bash
# Installs the Debian packages this project needs that are missing, and says
# which. Usage: scripts/install-deps.sh [build|test]   (default: test)
#   build: compilers, CMake and the -dev libraries
#   test:  build, plus the clients the integration tests drive (aws CLI,
#          boto3) and clang for the sanitizer and fuzz builds
set -euo pipefail
what=${1:-test}

build_pkgs=(gcc make cmake pkg-config zip unzip
            libmicrohttpd-dev libcurl4-openssl-dev libcjson-dev libsqlite3-dev
            libssl-dev zlib1g-dev)
test_pkgs=(clang libclang-rt-14-dev python3 ca-certificates)
# aws-lambda-ric (npm, run by the emulator's tests) builds curl and
# aws-lambda-cpp from source: it needs the autotools and a C++ compiler.
test_pkgs+=(autoconf automake libtool g++)

pkgs=("${build_pkgs[@]}")
[ "$what" = test ] && pkgs+=("${test_pkgs[@]}")

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# boto3 and the aws CLI: any python3 that has them will do (a pyenv one, say);
# otherwise Debian's packages.
if [ "$what" = test ]; then
  python3 -c 'import boto3' >/dev/null 2>&1 || missing+=(python3-boto3)
  command -v aws >/dev/null 2>&1 || missing+=(awscli)
  # Node and npm: any install will do (nodesource's nodejs bundles npm).
  command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
fi

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "install-deps: installing missing Debian packages: ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
