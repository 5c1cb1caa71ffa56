#!/usr/bin/env bash
# The .deb: `cpack -G DEB` in the build tree, its metadata, then a real `dpkg -i` on this
# machine, the installed meshwatch run as its service user, a reinstall that keeps a local edit
# of the conffile, `dpkg -r` and `dpkg --purge`.
#
# It installs the package for real, so it needs root (exit 77 = skipped otherwise; CI is root)
# and it purges any installed package named meshwatch first — a previous run that died half-way
# leaves one behind. The meshwatch system user stays after the purge, as Debian leaves system
# users; the test does not depend on whether it exists.
#
# usage: deb_package.sh BUILD_DIR
set -euo pipefail
build=$1

if [ "$(id -u)" -ne 0 ]; then
  echo "SKIP: dpkg -i needs root"
  exit 77
fi
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
for tool in cpack dpkg dpkg-deb dpkg-shlibdeps file systemd-analyze runuser; do
  command -v "$tool" >/dev/null || fail "$tool is missing (scripts/deps)"
done

installed_state() { dpkg-query -W -f='${Status}' meshwatch 2>/dev/null || true; }
purge() {
  if [ -n "$(installed_state)" ] && [ "$(installed_state)" != "unknown ok not-installed" ]; then
    dpkg --purge --force-remove-reinstreq meshwatch >/dev/null
  fi
}

tmp=$(mktemp -d)
trap 'purge || true; rm -rf "$tmp"' EXIT
purge

# cpack installs the project into its own staging tree under -B, not into the build tree.
(cd "$build" && cpack -G DEB -B "$tmp/pkg") >"$tmp/cpack.log" 2>&1 || {
  cat "$tmp/cpack.log" >&2
  fail "cpack -G DEB"
}
debs=("$tmp"/pkg/*.deb)
if [ ${#debs[@]} -ne 1 ] || [ ! -f "${debs[0]}" ]; then
  fail "cpack made ${#debs[@]} .deb files: ${debs[*]}"
fi
deb=${debs[0]}

# --- metadata ---
field() { dpkg-deb -f "$deb" "$1"; }
version=$("$build/bin/meshwatch" version | awk '{print $2}')
[ "$(field Package)" = meshwatch ] || fail "Package: $(field Package)"
[ "$(field Version)" = "$version-1" ] || fail "Version: $(field Version), want $version-1"
[ -n "$(field Maintainer)" ] || fail "no Maintainer"
[ -n "$(field Description)" ] || fail "no Description"
# From dpkg-shlibdeps: the C and C++ runtimes and the shared libraries the binary links.
for dep in libc6 libstdc++6 libyaml-cpp libsystemd0; do
  grep -q "$dep" <<<"$(field Depends)" || fail "Depends lacks $dep: $(field Depends)"
done
dpkg-deb -e "$deb" "$tmp/control"
grep -qx /etc/meshwatch/meshwatch.yaml "$tmp/control/conffiles" || fail "meshwatch.yaml is not a conffile"
for script in postinst prerm postrm; do
  [ -x "$tmp/control/$script" ] || fail "no executable $script"
done
dpkg-deb -c "$deb" | awk '{print $6}' >"$tmp/contents"
for f in ./usr/bin/meshwatch ./etc/meshwatch/meshwatch.yaml ./usr/lib/systemd/system/meshwatch.service \
  ./usr/lib/sysusers.d/meshwatch.conf ./usr/lib/tmpfiles.d/meshwatch.conf \
  ./usr/share/meshwatch/meshwatch.example.yaml ./usr/share/meshwatch/examples/systemd/mesher.service; do
  grep -qxF "$f" "$tmp/contents" || fail "$f is not in the package"
done
echo "ok: $(basename "$deb"): metadata, conffiles, contents"

# --- install ---
# --force-confnew: a config left by an interrupted run must not turn into a conffile prompt.
dpkg -i --force-confnew "$deb" >"$tmp/dpkg-i.log" 2>&1 </dev/null || {
  cat "$tmp/dpkg-i.log" >&2
  fail "dpkg -i"
}
[ "$(installed_state)" = "install ok installed" ] || fail "after dpkg -i: $(installed_state)"
[ "$(/usr/bin/meshwatch version)" = "$("$build/bin/meshwatch" version)" ] ||
  fail "/usr/bin/meshwatch version: $(/usr/bin/meshwatch version)"
getent passwd meshwatch >/dev/null || fail "postinst did not create the meshwatch user"
[ "$(stat -c '%a %U' /var/lib/meshwatch)" = "700 meshwatch" ] ||
  fail "/var/lib/meshwatch: $(stat -c '%a %U' /var/lib/meshwatch)"
[ "$(stat -c '%a %U' /etc/meshwatch/pg-password)" = "600 root" ] ||
  fail "/etc/meshwatch/pg-password: $(stat -c '%a %U' /etc/meshwatch/pg-password)"
# The service user can read and validate the installed config.
runuser -u meshwatch -- /usr/bin/meshwatch check-config /etc/meshwatch/meshwatch.yaml ||
  fail "meshwatch check-config /etc/meshwatch/meshwatch.yaml as user meshwatch"
# The unit as installed, with the binary at its real ExecStart path.
out=$(systemd-analyze verify /usr/lib/systemd/system/meshwatch.service 2>&1) || fail "verify: $out"
if grep -F meshwatch.service <<<"$out" >&2; then fail "verify of the installed unit warns"; fi
echo "ok: dpkg -i; meshwatch version, check-config as user meshwatch, verify"

# --- reinstall keeps a local edit of the conffile ---
printf '\n# local edit\n' >>/etc/meshwatch/meshwatch.yaml
dpkg -i "$deb" >"$tmp/dpkg-i2.log" 2>&1 </dev/null || {
  cat "$tmp/dpkg-i2.log" >&2
  fail "dpkg -i (again)"
}
grep -qx '# local edit' /etc/meshwatch/meshwatch.yaml || fail "reinstall overwrote the edited conffile"
echo "ok: reinstall keeps the edited /etc/meshwatch/meshwatch.yaml"

# --- remove, purge ---
dpkg -r meshwatch >/dev/null
[ ! -e /usr/bin/meshwatch ] || fail "dpkg -r left /usr/bin/meshwatch"
[ ! -e /usr/lib/systemd/system/meshwatch.service ] || fail "dpkg -r left the unit"
[ -e /etc/meshwatch/meshwatch.yaml ] || fail "dpkg -r removed the conffile"
dpkg --purge meshwatch >/dev/null
for gone in /etc/meshwatch /var/lib/meshwatch; do
  [ ! -e "$gone" ] || fail "dpkg --purge left $gone"
done
[ "$(installed_state)" = "unknown ok not-installed" ] || [ -z "$(installed_state)" ] ||
  fail "after purge: $(installed_state)"
echo "ok: dpkg -r keeps the config, dpkg --purge leaves nothing"
