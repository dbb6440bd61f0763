#!/usr/bin/env bash
# Makes this machine able to run tests/docker/run.sh with podman instead of a
# Docker engine, and says what it changes:
#   - installs podman, runc, podman-compose and debootstrap when missing;
#   - writes /etc/containers/containers.conf when it is missing: runc as the
#     runtime and no default ulimits (crun and podman's default rlimits fail
#     in sandboxes such as this project's development machine);
#   - builds a local docker.io/library/debian:bookworm-slim with debootstrap
#     when no such image exists (no image registry is reachable from here;
#     the Debian mirror is).
# Usage: tests/docker/install-podman.sh        (root, or sudo available)
set -euo pipefail

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
say() { echo "install-podman: $*" >&2; }

missing=()
# dnsname: service names resolve between compose containers (CNI backend).
for p in podman runc podman-compose debootstrap golang-github-containernetworking-plugin-dnsname; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing missing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

conf=/etc/containers/containers.conf
if [ ! -e "$conf" ]; then
  say "writing $conf (runtime runc, no default ulimits)"
  $sudo mkdir -p /etc/containers
  printf '[containers]\ndefault_ulimits = []\n\n[engine]\nruntime = "runc"\n' |
    $sudo tee "$conf" >/dev/null
fi

base=docker.io/library/debian:bookworm-slim
if ! $sudo podman image exists "$base"; then
  # The mirror the host's apt uses (deb822 .sources or one-line .list).
  mirror=$(sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*\).*/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null |
           grep -v security | head -1 || true)
  if [ -z "$mirror" ]; then
    mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
             awk '$1 == "deb" && $2 !~ /security/ {print $2; exit}')
  fi
  mirror=${mirror:-http://deb.debian.org/debian}
  say "building $base with debootstrap from $mirror (about 90 s)"
  root=$(mktemp -d)
  trap '$sudo rm -rf "$root"' EXIT
  $sudo debootstrap --variant=minbase bookworm "$root" "$mirror" >/dev/null
  # What the official slim image also drops: the downloaded packages, apt
  # lists, documentation, manual pages and translations (and dpkg is told to
  # keep dropping them, as in the official image).
  $sudo rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/cache/apt/*.bin \
    "$root"/var/lib/apt/lists/* "$root"/usr/share/doc/* "$root"/usr/share/man/* \
    "$root"/usr/share/info/* "$root"/usr/share/locale/* "$root"/var/log/*.log
  printf '%s\n' 'path-exclude /usr/share/doc/*' 'path-include /usr/share/doc/*/copyright' \
    'path-exclude /usr/share/man/*' 'path-exclude /usr/share/info/*' \
    'path-exclude /usr/share/locale/*' 'path-include /usr/share/locale/locale.alias' |
    $sudo tee "$root/etc/dpkg/dpkg.cfg.d/slim" >/dev/null
  $sudo tar -C "$root" -c . | $sudo podman import - "$base" >/dev/null
  say "$base imported"
fi
