#!/usr/bin/env bash
# `systemd-analyze security --offline=true` of systemd/meshwatch.service, alone and with each
# example drop-in: the overall exposure must not exceed the level recorded in the unit's
# comments. Lower it here when the unit gets stricter; never raise it to make this pass.
#
# usage: unit_security.sh SOURCE_DIR
set -euo pipefail
src=$1

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# Prints the overall exposure of a unit file (e.g. 1.2). --offline reads <unit>.d/ beside it.
exposure() {
  local unit=$1 out
  out=$(cd "$(dirname "$unit")" && systemd-analyze security --offline=true --no-pager "./$(basename "$unit")" 2>&1) ||
    true # exits non-zero above its --threshold; the score is parsed either way
  # "→" in a UTF-8 locale, "->" otherwise.
  sed -n 's/.*Overall exposure level for [^:]*: \([0-9][0-9]*\.[0-9]\).*/\1/p' <<<"$out" | grep . ||
    {
      echo "$out" >&2
      fail "no exposure level in the output for $unit"
    }
}

# name, unit file, highest allowed exposure
check() {
  local name=$1 unit=$2 max=$3 got
  got=$(exposure "$unit")
  if awk -v g="$got" -v m="$max" 'BEGIN { exit !(g > m) }'; then
    (cd "$(dirname "$unit")" && systemd-analyze security --offline=true --no-pager "./$(basename "$unit")") >&2 || true
    fail "$name: exposure $got > $max"
  fi
  echo "ok: $name: exposure $got (at most $max)"
}

# Each variant in a directory of its own, the drop-ins in meshwatch.service.d/.
variant() {
  local dir=$tmp/$1
  shift
  mkdir -p "$dir/meshwatch.service.d"
  cp "$src/systemd/meshwatch.service" "$dir/"
  for conf in "$@"; do
    cp "$src/systemd/examples/meshwatch.service.d/$conf" "$dir/meshwatch.service.d/"
  done
  echo "$dir/meshwatch.service"
}

check "meshwatch.service" "$(variant base)" 1.2
check "meshwatch.service + proc-connector.conf" "$(variant netadmin proc-connector.conf)" 1.6
check "meshwatch.service + ptrace-read.conf" "$(variant ptrace ptrace-read.conf)" 1.7
check "meshwatch.service + both drop-ins" "$(variant both proc-connector.conf ptrace-read.conf)" 1.9

# The check can fail: an unhardened unit scores far above the limit.
mkdir "$tmp/plain"
printf '[Service]\nExecStart=/bin/true\n' >"$tmp/plain/plain.service"
plain=$(exposure "$tmp/plain/plain.service")
if ! (check "plain.service" "$tmp/plain/plain.service" 1.2) >/dev/null 2>&1; then
  echo "ok: an unhardened unit (exposure $plain) fails the check"
else
  fail "an unhardened unit (exposure $plain) passed the check"
fi
