#!/usr/bin/env bash
# deploy/meshwatch.example.yaml passes `meshwatch check-config` the way meshwatch.service runs it:
# the database password comes from the credential pg-password in $CREDENTIALS_DIRECTORY.
#
# usage: example_config.sh SOURCE_DIR MESHWATCH_BINARY
set -euo pipefail
src=$1
meshwatch=$2
example=$src/deploy/meshwatch.example.yaml

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# What LoadCredential=pg-password:… gives the service: a private directory with the file.
mkdir -m 0700 "$tmp/credentials" "$tmp/empty-credentials"
printf 'example-password\n' >"$tmp/credentials/pg-password"
chmod 0400 "$tmp/credentials/pg-password"

# From another directory, so a relative password_file cannot be found next to the config.
cd "$tmp"
CREDENTIALS_DIRECTORY=$tmp/credentials "$meshwatch" check-config "$example" ||
  fail "check-config $example with the credential"
echo "ok: check-config with CREDENTIALS_DIRECTORY"

# The password really is read from the credential: without it, exit 2 naming the file.
rc=0
out=$(CREDENTIALS_DIRECTORY=$tmp/empty-credentials "$meshwatch" check-config "$example" 2>&1) || rc=$?
[ "$rc" -eq 2 ] || fail "check-config without the credential: exit $rc, want 2: $out"
grep -qF "$tmp/empty-credentials/pg-password" <<<"$out" ||
  fail "check-config without the credential does not name it: $out"
echo "ok: check-config without the credential fails (exit 2)"

# An empty credential (the placeholder meshwatch.tmpfiles creates) is refused too.
: >"$tmp/empty-credentials/pg-password"
rc=0
out=$(CREDENTIALS_DIRECTORY=$tmp/empty-credentials "$meshwatch" check-config "$example" 2>&1) || rc=$?
if [ "$rc" -ne 2 ] || ! grep -q 'is empty' <<<"$out"; then
  fail "an empty pg-password was accepted: exit $rc: $out"
fi
echo "ok: an empty credential fails (exit 2)"

# It names the units and the credential that are shipped.
grep -q 'systemd_unit: mesher.service' "$example" || fail "example does not use process.systemd_unit"
grep -q 'journald: { unit: mesher.service }' "$example" || fail "example does not use the journald console"
grep -q '^LoadCredential=pg-password:' "$src/systemd/meshwatch.service" || fail "meshwatch.service loads no pg-password"
grep -q 'password_file: pg-password$' "$example" || fail "example does not read password_file: pg-password"
echo "ok: example matches the shipped units"
