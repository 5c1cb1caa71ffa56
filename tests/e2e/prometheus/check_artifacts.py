#!/usr/bin/env python3
"""Static checks of deploy/prometheus and deploy/grafana that promtool alone does not do.

Usage: check_artifacts.py CHECK REPO_ROOT [WORK_DIR]
  conventions     every alert: severity, summary/description/runbook_url, runbook anchor exists;
                  every alert (and each severity of it) has a firing and a not-firing test case;
                  every recording rule is checked by a promql_expr_test
  metric-names    every metric named by the rules and the dashboard is documented
                  (metric_names.txt) or recorded by recording_rules.yml
  dashboard-exprs writes every dashboard expr (template variables filled in) as a recording rule
                  into WORK_DIR/dashboard_exprs.yml for `promtool check rules`
  dashboard       structure: unique panel ids, complete gridPos inside 24 columns, every query on
                  the $datasource variable, `datasource` and `target` variables present
Exit status: 0 pass, 1 fail (each problem printed).
"""
import json
import pathlib
import re
import sys

import yaml

HERE = pathlib.Path(__file__).resolve().parent


def load_yaml(path):
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def rules(root):
    prom = root / "deploy" / "prometheus"
    alerting = [r for g in load_yaml(prom / "alerting_rules.yml")["groups"] for r in g["rules"]]
    recording = [r for g in load_yaml(prom / "recording_rules.yml")["groups"] for r in g["rules"]]
    return alerting, recording


def dashboard(root):
    with open(root / "deploy" / "grafana" / "meshwatch-dashboard.json", encoding="utf-8") as f:
        return json.load(f)


def all_panels(dash):
    for p in dash["panels"]:
        yield p
        yield from p.get("panels", [])


def dashboard_exprs(dash):
    """(where, expr) for every PromQL expression in the dashboard, panels and annotations."""
    out = []
    for p in all_panels(dash):
        for t in p.get("targets", []):
            if "expr" in t:
                out.append((f'panel {p["id"]} "{p["title"]}" ref {t.get("refId")}', t["expr"]))
    for a in dash.get("annotations", {}).get("list", []):
        t = a.get("target") or {}
        if "expr" in t:
            out.append((f'annotation "{a["name"]}"', t["expr"]))
    return out


def dashboard_variable_queries(dash):
    out = []
    for v in dash.get("templating", {}).get("list", []):
        q = v.get("query")
        if isinstance(q, dict):
            q = q.get("query")
        if v.get("type") == "query" and q:
            out.append((f'variable {v["name"]}', q))
    return out


# Grafana template variables and the values used to make an expression parseable.
GRAFANA_VARS = {"__rate_interval": "1m", "__interval": "1m", "__range": "1h", "__range_s": "3600",
                "__interval_ms": "60000"}
VAR_RE = re.compile(r"\$\{(\w+)(?::\w+)?\}|\$(\w+)")


def fill_variables(expr):
    return VAR_RE.sub(lambda m: GRAFANA_VARS.get(m.group(1) or m.group(2), "x"), expr)


def documented_metrics():
    names, histograms = set(), set()
    for line in (HERE / "metric_names.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].split()
        if not line:
            continue
        names.add(line[0])
        if len(line) > 1 and line[1] == "histogram":
            histograms.add(line[0])
    for h in histograms:
        names.update({h + "_bucket", h + "_sum", h + "_count"})
    return names


# Metric names inside PromQL: identifiers not followed by '(' (functions) and not label names
# inside braces, not keywords. Strings are removed first so label values do not count.
STRING_RE = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'')
BRACES_RE = re.compile(r"\{[^}]*\}")
IDENT_RE = re.compile(r"(?<![\w:.])([a-zA-Z_:][\w:]*)")
KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless",
            "offset", "bool", "inf", "nan", "atan2",
            # aggregation operators, also written as `sum by (l) (expr)`
            "sum", "count", "avg", "min", "max", "stddev", "stdvar", "topk", "bottomk", "quantile",
            "count_values", "group"}
DURATION_RE = re.compile(r"^\d")


def metric_names_in(expr):
    e = STRING_RE.sub('""', expr)
    e = BRACES_RE.sub("", e)
    # label lists of by/without/on/ignoring/group_x: (a, b)
    e = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", r"\1", e)
    e = re.sub(r"\[[^\]]*\]", "", e)  # range selectors / subqueries
    names = set()
    for m in IDENT_RE.finditer(e):
        word = m.group(1)
        if e[m.end():].lstrip().startswith("("):  # a function call
            continue
        if word.lower() in KEYWORDS or DURATION_RE.match(word):
            continue
        names.add(word)
    return names


def check_conventions(root):
    problems = []
    alerting, recording = rules(root)
    runbook = (root / "deploy" / "RUNBOOK.md").read_text(encoding="utf-8")
    anchors = {re.sub(r"[^a-z0-9 -]", "", h.strip().lower()).replace(" ", "-")
               for h in re.findall(r"^#{1,6}\s+(.*)$", runbook, re.M)}
    severities = {}
    for r in alerting:
        name = r["alert"]
        sev = r.get("labels", {}).get("severity")
        if sev not in ("critical", "warning"):
            problems.append(f"{name}: severity label must be critical or warning, got {sev!r}")
        severities.setdefault(name, set()).add(sev)
        ann = r.get("annotations", {})
        for key in ("summary", "description", "runbook_url"):
            if not ann.get(key):
                problems.append(f"{name}: annotation {key} missing")
        if "{{" not in ann.get("description", ""):
            problems.append(f"{name}: description is not templated with labels/values")
        url = ann.get("runbook_url", "")
        m = re.search(r"deploy/RUNBOOK\.md#([\w-]+)$", url)
        if not m:
            problems.append(f"{name}: runbook_url {url!r} does not point at a section of deploy/RUNBOOK.md")
        elif m.group(1) != name.lower():
            problems.append(f"{name}: runbook_url anchor #{m.group(1)} should be #{name.lower()}")
        elif m.group(1) not in anchors:
            problems.append(f"{name}: deploy/RUNBOOK.md has no section #{m.group(1)}")
        if "for" not in r and not re.search(r"\bincrease\(", r["expr"]):
            problems.append(f"{name}: no `for:` (only event counters over a window may fire at once)")

    # Test coverage: firing and not-firing per alert, firing per severity, recording rules.
    fired, quiet, fired_sev, tested_exprs = set(), set(), set(), []
    for path in sorted((root / "deploy" / "prometheus" / "tests").glob("*.yml")):
        for test in load_yaml(path).get("tests", []):
            for a in test.get("alert_rule_test", []) or []:
                exp = a.get("exp_alerts") or []
                (fired if exp else quiet).add(a["alertname"])
                for e in exp:
                    fired_sev.add((a["alertname"], e.get("exp_labels", {}).get("severity")))
            for p in test.get("promql_expr_test", []) or []:
                tested_exprs.append(p["expr"])
    for name, sevs in sorted(severities.items()):
        if name not in fired:
            problems.append(f"{name}: no test case where it fires")
        if name not in quiet:
            problems.append(f"{name}: no test case where it does not fire")
        for s in sevs:
            if (name, s) not in fired_sev:
                problems.append(f"{name}: no test case where its severity={s} rule fires")
    for r in recording:
        if not any(re.search(re.escape(r["record"]) + r"(?![\w:])", e) for e in tested_exprs):
            problems.append(f"recording rule {r['record']}: no promql_expr_test")
    print(f"{len(severities)} alerts ({len(alerting)} rules), {len(recording)} recording rules checked")
    return problems


def check_metric_names(root):
    problems = []
    alerting, recording = rules(root)
    known = documented_metrics() | {r["record"] for r in recording}
    sources = [(f'alert {r["alert"]}', r["expr"]) for r in alerting]
    sources += [(f'record {r["record"]}', r["expr"]) for r in recording]
    dash = dashboard(root)
    sources += dashboard_exprs(dash) + dashboard_variable_queries(dash)
    seen = set()
    for where, expr in sources:
        if where.startswith("variable"):
            m = re.match(r"\s*label_values\(\s*([\w:]+)", expr)
            names = {m.group(1)} if m else set()
        else:
            names = metric_names_in(fill_variables(expr))
        for n in sorted(names):
            seen.add(n)
            if n not in known:
                problems.append(f"{where}: unknown metric {n!r} in: {expr}")
    print(f"{len(sources)} expressions, {len(seen)} distinct metric names checked")
    return problems


def write_dashboard_exprs(root, work):
    dash = dashboard(root)
    exprs = dashboard_exprs(dash)
    group = {"groups": [{"name": "dashboard", "rules": [
        {"record": f"dashboard:expr_{i}", "expr": fill_variables(e), "labels": {"where": w}}
        for i, (w, e) in enumerate(exprs)]}]}
    out = pathlib.Path(work) / "dashboard_exprs.yml"
    out.write_text(yaml.safe_dump(group, sort_keys=False, width=1000), encoding="utf-8")
    print(f"{len(exprs)} dashboard expressions written to {out}")
    return [] if exprs else ["the dashboard has no expressions"]


def check_dashboard(root):
    problems = []
    dash = dashboard(root)
    variables = {v["name"]: v for v in dash.get("templating", {}).get("list", [])}
    if variables.get("datasource", {}).get("type") != "datasource":
        problems.append("no `datasource` variable of type datasource")
    if variables.get("target", {}).get("type") != "query":
        problems.append("no `target` query variable")
    ids = set()
    for p in all_panels(dash):
        where = f'panel {p.get("id")} "{p.get("title")}"'
        if p.get("id") in ids:
            problems.append(f"{where}: duplicate id")
        ids.add(p.get("id"))
        g = p.get("gridPos", {})
        if not all(isinstance(g.get(k), int) for k in ("x", "y", "w", "h")):
            problems.append(f"{where}: gridPos needs integer x, y, w, h")
        elif g["x"] + g["w"] > 24:
            problems.append(f"{where}: wider than the 24-column grid")
        if p.get("type") == "row":
            continue
        if not p.get("targets"):
            problems.append(f"{where}: no queries")
        for t in [p] + p.get("targets", []):
            if t.get("datasource", {}).get("uid") != "${datasource}":
                problems.append(f"{where}: datasource is not the $datasource variable")
        for t in p.get("targets", []):
            if "meshwatch_" in t.get("expr", "") and "meshwatch_build_info" not in t["expr"] \
                    and "$target" not in t["expr"] and 'job="meshwatch"' not in t["expr"] \
                    and "meshwatch_loop_lag" not in t["expr"] and "meshwatch_config" not in t["expr"]:
                problems.append(f'{where}: query ignores the $target variable: {t["expr"]}')
    print(f"{len(ids)} panels checked")
    return problems


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    check, root = sys.argv[1], pathlib.Path(sys.argv[2])
    if check == "conventions":
        problems = check_conventions(root)
    elif check == "metric-names":
        problems = check_metric_names(root)
    elif check == "dashboard-exprs":
        problems = write_dashboard_exprs(root, sys.argv[3])
    elif check == "dashboard":
        problems = check_dashboard(root)
    else:
        print(f"unknown check {check}", file=sys.stderr)
        return 2
    for p in problems:
        print("FAIL:", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
