#!/bin/bash
# Container health check without curl in the image: one HTTP/1.0 GET to
# 127.0.0.1:PORT over bash's /dev/tcp; healthy (exit 0) when the answer is
# 200 and its body holds TEXT.
# Usage: healthcheck PORT PATH TEXT
set -u
port=$1 path=$2 text=$3
exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$path" >&3
# The answer is small (a health line, a function list): read at most 64 KB.
answer=$(timeout 2 head -c 65536 <&3) || exit 1
case "$answer" in
  "HTTP/1."?" 200"*) ;;
  *) exit 1 ;;
esac
case "$answer" in
  *"$text"*) exit 0 ;;
  *) exit 1 ;;
esac
