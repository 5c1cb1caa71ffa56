#!/usr/bin/env bash
# `cmake --install` into a temporary prefix, then `systemd-analyze verify` of every unit there.
#
# The install goes to --prefix <tmp> without DESTDIR, so the install-time rewrite of
# cmake/packaging.cmake points the unit at <tmp>/bin/meshwatch and <tmp>/etc/meshwatch: verify
# needs every ExecStart binary to exist, and here it is the installed binary. The Mesher
# examples name /usr/local/bin/mesher, which cannot be built here: a copy of each with that path
# replaced by the installed meshwatch binary is verified instead.
#
# usage: install_and_verify_units.sh BUILD_DIR MESHWATCH_BINARY
set -euo pipefail
build=$1
built_binary=$2

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# Fails on a non-zero exit and on any message about the unit: verify reports unknown keys and
# sections as warnings with exit 0.
verify() {
  local unit=$1 name out
  name=$(basename "$unit")
  if ! out=$(cd "$(dirname "$unit")" && systemd-analyze verify "./$name" 2>&1); then
    echo "$out" >&2
    fail "systemd-analyze verify $unit"
  fi
  if grep -F "$name" <<<"$out" >&2; then
    fail "systemd-analyze verify $unit: warnings"
  fi
  echo "ok: verify $name"
}

prefix=$tmp/prefix
if ! cmake --install "$build" --prefix "$prefix" >"$tmp/install.log" 2>&1; then
  cat "$tmp/install.log" >&2
  fail "cmake --install $build --prefix $prefix"
fi

for f in bin/meshwatch etc/meshwatch/meshwatch.yaml \
  lib/systemd/system/meshwatch.service lib/sysusers.d/meshwatch.conf lib/tmpfiles.d/meshwatch.conf \
  share/meshwatch/meshwatch.example.yaml \
  share/meshwatch/examples/systemd/mesher.service share/meshwatch/examples/systemd/mesher-journald.service \
  share/meshwatch/examples/systemd/mesher.tmpfiles \
  share/meshwatch/examples/systemd/meshwatch.service.d/proc-connector.conf \
  share/meshwatch/examples/systemd/meshwatch.service.d/ptrace-read.conf; do
  [ -e "$prefix/$f" ] || fail "not installed: $f"
done
cmp -s "$built_binary" "$prefix/bin/meshwatch" || fail "installed bin/meshwatch is not the built binary"

# The installed config is the embedded default, and valid.
diff <("$prefix/bin/meshwatch" print-default-config) "$prefix/etc/meshwatch/meshwatch.yaml" >&2 ||
  fail "etc/meshwatch/meshwatch.yaml differs from 'meshwatch print-default-config'"
"$prefix/bin/meshwatch" check-config "$prefix/etc/meshwatch/meshwatch.yaml" || fail "default config invalid"

# Every path of the unit and tmpfiles was moved to the prefix.
unit=$prefix/lib/systemd/system/meshwatch.service
conf=$prefix/etc/meshwatch
for line in "ExecStartPre=$prefix/bin/meshwatch check-config $conf/meshwatch.yaml" \
  "ExecStart=$prefix/bin/meshwatch run --config $conf/meshwatch.yaml" \
  "LoadCredential=pg-password:$conf/pg-password"; do
  grep -qxF "$line" "$unit" || fail "$unit lacks the line: $line"
done
for f in "$unit" "$prefix/lib/tmpfiles.d/meshwatch.conf"; do
  if grep -E '(^|[ :=])/(usr/bin|etc|usr/share)/meshwatch' "$f" >&2; then
    fail "$f still names a /usr or /etc path"
  fi
done
echo "ok: install layout"

# The units.
verify "$unit"
mkdir "$tmp/mesher"
for example in mesher.service mesher-journald.service; do
  sed "s#/usr/local/bin/mesher#$prefix/bin/meshwatch#g" \
    "$prefix/share/meshwatch/examples/systemd/$example" >"$tmp/mesher/$example"
  verify "$tmp/mesher/$example"
done
# The unit with both example drop-ins beside it (verify reads <unit>.d/ next to the file).
mkdir -p "$tmp/dropins/meshwatch.service.d"
cp "$unit" "$tmp/dropins/"
cp "$prefix"/share/meshwatch/examples/systemd/meshwatch.service.d/*.conf "$tmp/dropins/meshwatch.service.d/"
verify "$tmp/dropins/meshwatch.service"

# sysusers.d and tmpfiles.d, applied to an empty root.
root=$tmp/root
mkdir -p "$root/etc"
systemd-sysusers --root="$root" "$prefix/lib/sysusers.d/meshwatch.conf" || fail "systemd-sysusers"
grep -q '^meshwatch:x:[0-9]*:[0-9]*:.*:/var/lib/meshwatch:/usr/sbin/nologin$' "$root/etc/passwd" ||
  fail "systemd-sysusers did not create the meshwatch user: $(cat "$root/etc/passwd")"
systemd-tmpfiles --root="$root" --create "$prefix/lib/tmpfiles.d/meshwatch.conf" || fail "systemd-tmpfiles"
check_mode() {
  local path=$1 mode=$2 type=$3 actual
  [ "$type" = d ] && { [ -d "$path" ] || fail "$path: not a directory"; }
  [ "$type" = f ] && { [ -f "$path" ] || fail "$path: not a file"; }
  actual=$(stat -c %a "$path")
  [ "$actual" = "$mode" ] || fail "$path: mode $actual, want $mode"
}
check_mode "$root$conf" 755 d
check_mode "$root$conf/pg-password" 600 f
check_mode "$root/var/lib/meshwatch" 700 d
[ "$(stat -c %u "$root/var/lib/meshwatch")" = "$(grep '^meshwatch:' "$root/etc/passwd" | cut -d: -f3)" ] ||
  fail "/var/lib/meshwatch is not owned by meshwatch"
systemd-sysusers --root="$root" --inline 'g adm 4' 'u mesher - "Mesher"' || fail "systemd-sysusers (mesher)"
systemd-tmpfiles --root="$root" --create "$prefix/share/meshwatch/examples/systemd/mesher.tmpfiles" ||
  fail "systemd-tmpfiles mesher.tmpfiles"
check_mode "$root/var/log/mesher" 750 d
check_mode "$root/var/log/mesher/console.log" 640 f
echo "ok: sysusers and tmpfiles"

# The checks above can fail: verify rejects a unit whose binary is missing, and a typo'd key.
mkdir "$tmp/negative"
sed "s#^ExecStart=.*#ExecStart=$tmp/no-such-binary#" "$unit" >"$tmp/negative/missing-binary.service"
sed 's#^WatchdogSec=#WatchdogSeconds=#' "$unit" >"$tmp/negative/typo.service"
for bad in missing-binary typo; do
  if (verify "$tmp/negative/$bad.service") >/dev/null 2>&1; then
    fail "verify accepted $bad.service"
  fi
done
echo "ok: verify rejects a missing binary and an unknown key"
