#!/usr/bin/env bash
# Checks of deploy/prometheus and deploy/grafana, one per ctest test (tests/e2e/prometheus).
# Usage: run_check.sh CHECK REPO_ROOT WORK_DIR
# Exit: 0 pass, 1 fail, 77 skipped (a tool that is not installed / a registry not reachable).
set -euo pipefail
check=$1 root=$2 work=$3
prom=$root/deploy/prometheus
graf=$root/deploy/grafana
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$work"

# Debian's python3 has python3-yaml; a pyenv python3 earlier in PATH may not.
py=python3
if [ -x /usr/bin/python3 ]; then py=/usr/bin/python3; fi

need() {
  command -v "$1" >/dev/null 2>&1 || { echo "SKIP: $1 not installed ($2)"; exit 77; }
}

case $check in
  check-config)
    need promtool "Debian package prometheus"
    # prometheus.yml names its rule files relative to itself: check it on a copy next to them.
    dir=$work/check-config
    rm -rf "$dir" && mkdir -p "$dir"
    cp "$prom/prometheus.yml" "$prom/recording_rules.yml" "$prom/alerting_rules.yml" "$dir/"
    promtool check config "$dir/prometheus.yml"
    ;;
  check-rules)
    need promtool "Debian package prometheus"
    promtool check rules "$prom/recording_rules.yml" "$prom/alerting_rules.yml"
    ;;
  test-rules)
    need promtool "Debian package prometheus"
    promtool test rules "$prom"/tests/*.yml
    ;;
  conventions | metric-names | dashboard)
    "$py" "$here/check_artifacts.py" "$check" "$root"
    ;;
  dashboard-exprs)
    need promtool "Debian package prometheus"
    "$py" "$here/check_artifacts.py" dashboard-exprs "$root" "$work"
    promtool check rules "$work/dashboard_exprs.yml"
    ;;
  alertmanager)
    need amtool "Debian package prometheus-alertmanager"
    amtool check-config "$prom/alertmanager.example.yml"
    # Routing: critical Mesher alerts page, warnings go to the team, meshwatch's own to monitoring.
    route() {
      got=$(amtool config routes test --config.file="$prom/alertmanager.example.yml" "${@:2}")
      if [ "$got" != "$1" ]; then echo "FAIL: labels ${*:2} routed to '$got', expected '$1'"; exit 1; fi
      echo "ok: ${*:2} -> $got"
    }
    route mesher-oncall alertname=MesherDown severity=critical target=mesher
    route mesher-team alertname=MesherEndpointFailing severity=warning target=mesher
    route monitoring-oncall alertname=MeshwatchDown severity=critical
    ;;
  dashboard-schema)
    # Type-check the dashboard against @grafana/schema's Dashboard type (toolchain.md §7).
    need node "nodejs"
    need npm "npm"
    dir=$work/grafana-schema
    mkdir -p "$dir"
    if [ ! -x "$dir/node_modules/.bin/tsc" ] || [ ! -d "$dir/node_modules/@grafana/schema" ]; then
      printf '{ "name": "meshwatch-dashboard-check", "private": true, "type": "module" }\n' >"$dir/package.json"
      if ! (cd "$dir" && timeout 300 npm install --no-audit --no-fund --silent \
              @grafana/schema@13.2.3 typescript@5.9.3 >npm.log 2>&1); then
        echo "SKIP: npm install @grafana/schema typescript failed (registry not reachable?):"
        tail -5 "$dir/npm.log" || true
        exit 77
      fi
    fi
    cat >"$dir/tsconfig.json" <<'JSON'
{ "compilerOptions": { "strict": true, "module": "nodenext", "moduleResolution": "nodenext",
    "noEmit": true, "skipLibCheck": true, "target": "es2022" }, "files": ["check.ts"] }
JSON
    {
      cat <<'TS'
import type { Dashboard } from '@grafana/schema';
// The dashboard JSON, checked against @grafana/schema's Dashboard type. `as const` keeps string
// literals, so enum-typed fields (color modes, threshold modes, ...) are checked by value; going
// through `raw` skips excess-property checks, as Grafana saves keys the type lacks
// (`definition`, datasource-specific query fields such as `expr`).
type Loose<T> = T extends string
  ? `${T}`
  : T extends readonly (infer U)[]
    ? readonly Loose<U>[]
    : T extends object
      ? { readonly [K in keyof T]: Loose<T[K]> }
      : T;
const raw =
TS
      "$py" -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1])), indent=1), end="")' \
        "$graf/meshwatch-dashboard.json"
      printf ' as const;\nexport const dashboard: Loose<Dashboard> = raw;\n'
    } >"$dir/check.ts"
    (cd "$dir" && ./node_modules/.bin/tsc --noEmit -p .)
    echo "dashboard type-checks against @grafana/schema $(cd "$dir" && node -p 'require("./node_modules/@grafana/schema/package.json").version')"
    ;;
  *)
    echo "unknown check: $check" >&2
    exit 2
    ;;
esac
