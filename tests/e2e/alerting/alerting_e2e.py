#!/usr/bin/env python3
"""End-to-end alerting: real Prometheus and Alertmanager on loopback, scraping a real
`meshwatch run` that watches a real `mesher-twin` (issue 6, item 6).

The rules are the SHIPPED deploy/prometheus/*.yml, time-compressed by make_test_rules.py (one
factor: a minute becomes a second); the Prometheus and Alertmanager configs are the shipped
examples with their addresses and timers rewritten. Faults are injected into the twin through its
control port, by killing / restarting / stopping processes, or in PostgreSQL. For each alert the
test asserts through Prometheus (/api/v1/alerts, /api/v1/rules) and Alertmanager (/api/v2/alerts,
plus the webhook receiver) that it fires, then that it resolves once the cause is gone, and prints
a table: alert, fault, fired after, resolved after.

Usage: alerting_e2e.py SCENARIO --repo DIR --meshwatch BIN --twin BIN --pg-dir DIR [--work DIR]
SCENARIO: probes | resources | process | console. Exit 0 pass, 1 fail, 77 skipped (a tool is missing).
Only the standard library and python3-yaml.
"""

import argparse
import ctypes
import http.server
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request

import yaml

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_test_rules  # noqa: E402

FACTOR = 60  # rule durations / 60: `for: 2m` -> 2s, `[15m]` -> [15s]
TARGET = "mesher"

_libc = ctypes.CDLL("libc.so.6", use_errno=True)
PR_SET_PDEATHSIG = 1


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def die_with_parent(nofile=None):
    """preexec_fn: the child gets SIGKILL if the test dies, whatever the exit path."""

    def fn():
        _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if nofile is not None:
            resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))

    return fn


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_call(method, url, body=None, timeout=3.0):
    """(status, body text); status 0 when there was no HTTP answer at all."""
    req = urllib.request.Request(url, data=body, method=method)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")
    except (urllib.error.URLError, OSError, ConnectionError):
        return 0, ""


def wait_until(what, predicate, timeout, step=0.2):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(step)


def metric_values(exposition, name, labels=None):
    """Values of `name` series whose labels include `labels` (a dict), from a text exposition."""
    out = []
    for line in exposition.splitlines():
        if not line.startswith(name) or line.startswith("#"):
            continue
        rest = line[len(name):]
        braces = ""
        if rest.startswith("{"):
            close = rest.rfind("}")
            braces, rest = rest[:close + 1], rest[close + 1:]
        elif not rest.startswith(" "):
            continue
        if all(f'{k}="{v}"' in braces for k, v in (labels or {}).items()):
            out.append(float(rest.split()[0]))
    return out


class Proc:
    """A child process with its output in a file; stopped on every exit path by Stack.close()."""

    def __init__(self, name, argv, log_path, env=None, nofile=None, append=False):
        self.name = name
        self.log_path = log_path
        self.log_file = open(log_path, "ab" if append else "wb")
        self.popen = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=self.log_file,
                                      stderr=subprocess.STDOUT, env=env,
                                      preexec_fn=die_with_parent(nofile))
        self.pid = self.popen.pid

    def alive(self):
        return self.popen.poll() is None

    def send(self, sig):
        if self.alive():
            try:
                os.kill(self.pid, sig)
            except ProcessLookupError:
                pass

    def stop(self, sig=signal.SIGTERM, grace=5.0):
        if self.alive():
            self.send(signal.SIGCONT)
            self.send(sig)
            try:
                self.popen.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                self.send(signal.SIGKILL)
                self.popen.wait(timeout=10)
        self.log_file.close()
        return self.popen.returncode

    def tail(self, n=40):
        try:
            with open(self.log_path, "rb") as f:
                lines = f.read().decode("utf-8", "replace").splitlines()
            return "\n".join(lines[-n:])
        except OSError:
            return ""


class Webhook:
    """Alertmanager's receiver: remembers every (alertname, status, labels) it is sent."""

    def __init__(self):
        self.lock = threading.Lock()
        self.received = []  # (monotonic time, path, alert status, labels)
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(min(length, 1 << 20))
                try:
                    payload = json.loads(body)
                    with outer.lock:
                        for a in payload.get("alerts", []):
                            outer.received.append((time.monotonic(), self.path, a.get("status"),
                                                   a.get("labels", {})))
                except ValueError:
                    pass
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def seen(self, alertname, labels, status, since):
        with self.lock:
            for t, _, st, lab in self.received:
                if t >= since and st == status and lab.get("alertname") == alertname and all(
                        lab.get(k) == v for k, v in labels.items()):
                    return True
        return False

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class Check:
    """One alert (name + identifying labels) expected to fire for one fault, then resolve."""

    def __init__(self, alert, labels, fault, note=""):
        self.alert = alert
        self.labels = dict(labels)
        self.fault = fault
        self.note = note
        self.t_inject = None
        self.t_clear = None
        self.fired = None       # s from injection until Prometheus says firing
        self.am_seen = None     # s from injection until Alertmanager has it
        self.am_state = None    # active | suppressed (inhibited/silenced)
        # Alertmanager's state the last time it still listed the alert. An alert inhibited by
        # then (a warning whose critical twin fired later) resolves muted: no webhook, by design.
        self.am_last_state = None
        self.notified = False   # the webhook got status=firing
        self.resolved = None    # s from clearing until Prometheus no longer has it
        self.am_gone = None     # s from clearing until Alertmanager no longer lists it
        self.notified_resolved = False
        self.error = None
        self.seen_labels = {}

    def key(self):
        extra = ",".join(f"{k}={v}" for k, v in sorted(self.labels.items()))
        return f"{self.alert}{{{extra}}}" if extra else self.alert

    def matches(self, labels):
        return labels.get("alertname") == self.alert and all(labels.get(k) == v for k, v in self.labels.items())


class Stack:
    def __init__(self, args, scenario, meshwatch_scrape=1):
        self.args = args
        self.scenario = scenario
        self.dir = tempfile.mkdtemp(prefix=f"meshwatch-alerting-{scenario}-", dir=args.work)
        self.procs = []
        self.twin = None
        self.meshwatch = None
        self.prometheus = None
        self.alertmanager = None
        self.webhook = None
        self.blocker = None
        self.db = None
        self.http_port = free_port()
        self.ws_port = free_port()
        self.admin_port = free_port()
        self.prom_port = free_port()
        self.am_port = free_port()
        self.control_port = None
        self.meshwatch_scrape = meshwatch_scrape
        self.twin_nofile = None
        self.checks = []  # every Check of the scenario, for the table even when it aborts
        with open(os.path.join(args.pg_dir, "port"), encoding="utf-8") as f:
            self.pg_port = int(f.read().strip())
        self.pidfile = os.path.join(self.dir, "mesher.pid")
        self.console = os.path.join(self.dir, "console.log")

    # ---------------------------------------------------------------- PostgreSQL
    def psql(self, sql, db="postgres", user="postgres"):
        dsn = f"postgres://{user}@127.0.0.1:{self.pg_port}/{db}"
        r = subprocess.run(["psql", dsn, "-v", "ON_ERROR_STOP=1", "-qAt", "-c", sql], capture_output=True,
                           text=True, timeout=30)
        if r.returncode != 0:
            raise RuntimeError(f"psql {sql!r}: {r.stderr.strip()}")
        return r.stdout.strip()

    def create_db(self):
        # A database of its own: the faults (dropped partitions, refused connections) must not
        # reach the other tests that share the cluster.
        self.db = f"alerting_{self.scenario}_{os.getpid()}"
        self.psql(f'CREATE DATABASE "{self.db}" OWNER mesh')

    def dsn(self):
        return f"postgres://mesh:mesh@127.0.0.1:{self.pg_port}/{self.db}"

    # ---------------------------------------------------------------- the twin
    def twin_env(self):
        env = dict(os.environ)
        env.update({
            "MESHER_HTTP_PORT": str(self.http_port),
            "MESHER_WS_PORT": str(self.ws_port),
            "MESHER_TWIN_DSN": self.dsn(),
            "MESHER_TWIN_INTERVALS": "load=200ms,health=400ms,alert=1s",
            "MESHER_TWIN_RATE_LIMIT": "1000000",
        })
        return env

    def start_twin(self, wait_ready=True):
        """Starts Mesher the way a service manager would: console appended to a file, a pidfile."""
        ports = os.path.join(self.dir, "ports.json")
        if os.path.exists(ports):
            os.unlink(ports)
        argv = [self.args.twin, "--mode", "fixed", "--control-listen",
                "127.0.0.1:0", "--ports-file", ports]
        self.twin = Proc("mesher-twin", argv, self.console, env=self.twin_env(), nofile=self.twin_nofile,
                         append=True)
        self.procs.append(self.twin)
        tmp = self.pidfile + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(f"{self.twin.pid}\n")
        os.rename(tmp, self.pidfile)

        def control():
            try:
                with open(ports, encoding="utf-8") as f:
                    return json.load(f).get("control")
            except (OSError, ValueError):
                return None

        self.control_port = wait_until("the twin's ports file", control, 20)
        if wait_ready:
            self.wait_ready()
        return self.twin

    def wait_ready(self):
        self.wait_metric("meshwatch_target_ready", {"target": TARGET}, lambda v: v == 1, 30)

    def kill_twin(self, sig=signal.SIGKILL):
        if self.twin is not None:
            self.twin.stop(sig, grace=5)

    def wait_twin_exit(self, timeout=10):
        try:
            self.twin.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise TimeoutError("the twin did not exit") from None
        self.twin.log_file.close()

    def fault(self, name, **query):
        q = urllib.parse.urlencode(query)
        url = f"http://127.0.0.1:{self.control_port}/fault/{name}" + (f"?{q}" if q else "")
        status, body = http_call("POST", url, b"")
        if name not in ("segv", "panic", "exit0") and status != 200:
            raise RuntimeError(f"fault {name} {query}: HTTP {status} {body}")
        return status

    # ---------------------------------------------------------------- meshwatch
    def meshwatch_config(self, probes):
        return (
            f"admin: {{ listen: '127.0.0.1:{self.admin_port}' }}\n"
            "defaults: { interval: 500ms, timeout: 400ms, healthy_threshold: 1, unhealthy_threshold: 2 }\n"
            "targets:\n"
            f"  - name: {TARGET}\n"
            f"    http: http://127.0.0.1:{self.http_port}\n"
            f"    ws: ws://127.0.0.1:{self.ws_port}\n"
            f"    database: {{ dsn: '{self.dsn()}' }}\n"
            f"    process: {{ pidfile: '{self.pidfile}', start_grace: 5s, crash_loop: {{ restarts: 3, within: 20s }} }}\n"
            f"    console: {{ file: '{self.console}' }}\n"
            "probes:\n"
            "  - name: fast_path\n"
            "    interval: 300ms\n"
            "    timeout: 250ms\n"
            "    http: { method: GET, path: /__meshwatch }\n"
            "    expect: { status: 404, body_prefix: Not Found }\n" + probes)

    def start_meshwatch(self, probes=None):
        if probes is not None:
            with open(os.path.join(self.dir, "meshwatch.yaml"), "w", encoding="utf-8") as f:
                f.write(self.meshwatch_config(probes))
        env = dict(os.environ)
        env["STATE_DIRECTORY"] = self.dir
        argv = [self.args.meshwatch, "run", "--config", os.path.join(self.dir, "meshwatch.yaml")]
        self.meshwatch = Proc("meshwatch", argv, os.path.join(self.dir, "meshwatch.log"), env=env, append=True)
        self.procs.append(self.meshwatch)
        wait_until("meshwatch /healthz",
                   lambda: http_call("GET", f"http://127.0.0.1:{self.admin_port}/healthz")[0] == 200, 20)

    def scrape(self):
        status, body = http_call("GET", f"http://127.0.0.1:{self.admin_port}/metrics")
        return body if status == 200 else ""

    def wait_metric(self, name, labels, accept, timeout):
        def ok():
            values = metric_values(self.scrape(), name, labels)
            return bool(values) and all(accept(v) for v in values)

        return wait_until(f"{name}{labels} on meshwatch's /metrics", ok, timeout)

    # ---------------------------------------------------------------- Prometheus + Alertmanager
    def write_prometheus_config(self):
        rules_dir = os.path.join(self.dir, "rules")
        changes = make_test_rules.generate(os.path.join(self.args.repo, "deploy", "prometheus"), rules_dir, FACTOR)
        with open(os.path.join(self.dir, "rules-changes.txt"), "w", encoding="utf-8") as f:
            f.write("\n".join(changes) + "\n")
        with open(os.path.join(self.args.repo, "deploy", "prometheus", "prometheus.yml"), encoding="utf-8") as f:
            cfg = yaml.safe_load(f)
        cfg["global"].update({"scrape_interval": "1s", "scrape_timeout": "1s", "evaluation_interval": "1s"})
        cfg["rule_files"] = [os.path.join(rules_dir, "recording_rules.yml"),
                             os.path.join(rules_dir, "alerting_rules.yml")]
        for am in cfg["alerting"]["alertmanagers"]:
            am["static_configs"] = [{"targets": [f"127.0.0.1:{self.am_port}"]}]
            am["timeout"] = "2s"
        jobs = {j["job_name"]: j for j in cfg["scrape_configs"]}
        if "meshwatch" not in jobs:
            raise RuntimeError("deploy/prometheus/prometheus.yml has no job 'meshwatch' (the rules need it)")
        for name, job in jobs.items():
            job["scrape_interval"] = "1s"
            job["scrape_timeout"] = "1s"
            port = self.admin_port if name == "meshwatch" else self.prom_port
            for sc in job["static_configs"]:
                sc["targets"] = [f"127.0.0.1:{port}"]
        jobs["meshwatch"]["scrape_interval"] = f"{self.meshwatch_scrape}s"
        jobs["meshwatch"]["scrape_timeout"] = f"{self.meshwatch_scrape}s"
        path = os.path.join(self.dir, "prometheus.yml")
        with open(path, "w", encoding="utf-8") as f:
            yaml.safe_dump(cfg, f, sort_keys=False)
        subprocess.run(["promtool", "check", "config", path], check=True, capture_output=True, timeout=60)
        return path

    def write_alertmanager_config(self):
        with open(os.path.join(self.args.repo, "deploy", "prometheus", "alertmanager.example.yml"),
                  encoding="utf-8") as f:
            cfg = yaml.safe_load(f)

        def fast(route):
            route["group_wait"] = "0s" if route is cfg["route"] else "1s"
            route["group_interval"] = "1s"
            for child in route.get("routes", []):
                fast(child)

        fast(cfg["route"])
        for receiver in cfg["receivers"]:
            for hook in receiver.get("webhook_configs", []):
                path = urllib.parse.urlparse(hook["url"]).path
                hook["url"] = f"http://127.0.0.1:{self.webhook.port}{path}"
        path = os.path.join(self.dir, "alertmanager.yml")
        with open(path, "w", encoding="utf-8") as f:
            yaml.safe_dump(cfg, f, sort_keys=False)
        return path

    def start_monitoring(self):
        self.webhook = Webhook()
        am_cfg = self.write_alertmanager_config()
        self.alertmanager = Proc("alertmanager", [
            "prometheus-alertmanager", f"--config.file={am_cfg}",
            f"--storage.path={os.path.join(self.dir, 'am-data')}",
            f"--web.listen-address=127.0.0.1:{self.am_port}", "--cluster.listen-address=", "--log.level=warn"],
            os.path.join(self.dir, "alertmanager.log"))
        self.procs.append(self.alertmanager)
        prom_cfg = self.write_prometheus_config()
        self.prometheus = Proc("prometheus", [
            "prometheus", f"--config.file={prom_cfg}", f"--storage.tsdb.path={os.path.join(self.dir, 'tsdb')}",
            f"--web.listen-address=127.0.0.1:{self.prom_port}", "--rules.alert.resend-delay=1s",
            "--log.level=warn"], os.path.join(self.dir, "prometheus.log"))
        self.procs.append(self.prometheus)
        wait_until("Alertmanager ready",
                   lambda: http_call("GET", f"http://127.0.0.1:{self.am_port}/-/ready")[0] == 200, 30)
        wait_until("Prometheus ready",
                   lambda: http_call("GET", f"http://127.0.0.1:{self.prom_port}/-/ready")[0] == 200, 60)
        self.assert_rules_loaded()
        wait_until("Prometheus to see Alertmanager", self.prom_has_alertmanager, 30)

    def prom_get(self, path):
        status, body = http_call("GET", f"http://127.0.0.1:{self.prom_port}{path}")
        if status != 200:
            raise RuntimeError(f"Prometheus {path}: HTTP {status} {body[:300]}")
        return json.loads(body)["data"]

    def prom_has_alertmanager(self):
        return bool(self.prom_get("/api/v1/alertmanagers")["activeAlertmanagers"])

    def assert_rules_loaded(self):
        with open(os.path.join(self.args.repo, "deploy", "prometheus", "alerting_rules.yml"), encoding="utf-8") as f:
            shipped = {r["alert"] for g in yaml.safe_load(f)["groups"] for r in g["rules"] if "alert" in r}
        loaded = {r["name"] for g in self.prom_get("/api/v1/rules?type=alert")["groups"] for r in g["rules"]}
        if loaded != shipped:
            raise RuntimeError(f"Prometheus loaded alerts {sorted(loaded)}, shipped {sorted(shipped)}")

    def rule_errors(self):
        errors = []
        for g in self.prom_get("/api/v1/rules")["groups"]:
            for r in g["rules"]:
                if r.get("health") == "err" or r.get("lastError"):
                    errors.append(f"{r['name']}: {r.get('lastError')}")
        return errors

    def wait_scraped(self, selector, timeout=30):
        """Until Prometheus holds a few samples of `selector`: increase() over a counter needs one
        from before the fault, or a jump right after Prometheus started is its first value."""
        def ok():
            result = self.prom_query(f"count_over_time({selector}[1m])")
            return bool(result) and all(float(r["value"][1]) >= 3 for r in result)

        wait_until(f"Prometheus samples of {selector}", ok, timeout, 0.5)

    def prom_alerts(self):
        return self.prom_get("/api/v1/alerts")["alerts"]

    def prom_query(self, expr):
        return self.prom_get("/api/v1/query?" + urllib.parse.urlencode({"query": expr}))["result"]

    def am_alerts(self):
        status, body = http_call("GET", f"http://127.0.0.1:{self.am_port}/api/v2/alerts")
        if status != 200:
            raise RuntimeError(f"Alertmanager /api/v2/alerts: HTTP {status}")
        return json.loads(body)

    # ---------------------------------------------------------------- assertions
    def wait_fired(self, checks, timeout):
        """Until every check fired in Prometheus and reached Alertmanager (or the timeout)."""
        deadline = time.monotonic() + timeout
        pending = [c for c in checks if c.error is None]
        while pending and time.monotonic() < deadline:
            now = time.monotonic()
            prom = self.prom_alerts()
            am = self.am_alerts()
            for c in pending:
                if c.fired is None and any(a["state"] == "firing" and c.matches(a["labels"]) for a in prom):
                    c.fired = now - c.t_inject
                    c.seen_labels = next(a["labels"] for a in prom
                                         if a["state"] == "firing" and c.matches(a["labels"]))
                    log(f"FIRING   {c.key()} after {c.fired:.1f}s ({c.fault})")
                if c.fired is not None and c.am_seen is None:
                    for a in am:
                        if c.matches(a["labels"]):
                            c.am_seen = now - c.t_inject
                            c.am_state = a["status"]["state"]
                if c.am_state == "active" and not c.notified:
                    c.notified = self.webhook.seen(c.alert, c.labels, "firing", c.t_inject)
            pending = [c for c in pending if c.fired is None or c.am_seen is None
                       or (c.am_state == "active" and not c.notified)]
            time.sleep(0.25)
        for c in pending:
            if c.fired is None:
                c.error = f"did not fire in Prometheus within {timeout:.0f}s"
            elif c.am_seen is None:
                c.error = f"fired in Prometheus but never reached Alertmanager within {timeout:.0f}s"
            else:
                c.error = f"active in Alertmanager but no firing webhook notification within {timeout:.0f}s"
            log(f"FAIL     {c.key()}: {c.error}")

    @staticmethod
    def resolve_notified(c):
        """Whether Alertmanager owes a resolved webhook: it notified the alert firing and it was
        not muted (inhibited) when it went away."""
        return c.am_state == "active" and c.am_last_state != "suppressed"

    def wait_resolved(self, checks, timeout):
        deadline = time.monotonic() + timeout
        pending = [c for c in checks if c.error is None]
        while pending and time.monotonic() < deadline:
            now = time.monotonic()
            prom = self.prom_alerts()
            am = self.am_alerts()
            for c in pending:
                if c.resolved is None and not any(c.matches(a["labels"]) for a in prom):
                    c.resolved = now - c.t_clear
                    log(f"RESOLVED {c.key()} after {c.resolved:.1f}s")
                listed = [a for a in am if c.matches(a["labels"])]
                if listed:
                    c.am_last_state = listed[0]["status"]["state"]
                if c.resolved is not None and c.am_gone is None and not listed:
                    c.am_gone = now - c.t_clear
                if c.am_state == "active" and not c.notified_resolved:
                    c.notified_resolved = self.webhook.seen(c.alert, c.labels, "resolved", c.t_inject + c.fired)
            pending = [c for c in pending if c.resolved is None or c.am_gone is None
                       or (self.resolve_notified(c) and not c.notified_resolved)]
            time.sleep(0.25)
        for c in pending:
            if c.resolved is None:
                c.error = f"still pending/firing in Prometheus {timeout:.0f}s after the fault was removed"
            elif c.am_gone is None:
                c.error = f"resolved in Prometheus but still listed by Alertmanager after {timeout:.0f}s"
            else:
                c.error = f"no resolved webhook notification within {timeout:.0f}s"
            log(f"FAIL     {c.key()}: {c.error}")
        for c in checks:
            if c.error is None and c.am_state == "active" and not self.resolve_notified(c):
                c.note = (c.note + "; " if c.note else "") + \
                    "inhibited by its critical twin when it resolved: no resolved webhook (Alertmanager mutes it)"

    def assert_quiet(self, checks, timeout=60):
        """Before a fault: the alert must not be pending or firing already (else proving nothing)."""
        def quiet():
            prom = self.prom_alerts()
            return not any(c.matches(a["labels"]) for c in checks for a in prom)

        try:
            wait_until("no " + ", ".join(c.key() for c in checks) + " before the fault", quiet, timeout, 0.5)
        except TimeoutError as e:
            for c in checks:
                c.error = str(e)

    def close(self, keep):
        for p in reversed(self.procs):
            try:
                p.stop(signal.SIGKILL if p.name == "mesher-twin" else signal.SIGTERM)
            except Exception:  # noqa: BLE001 - the rest must still be stopped
                traceback.print_exc()
        if self.blocker is not None:
            self.blocker.close()
        if self.webhook is not None:
            self.webhook.close()
        if self.db is not None:
            try:
                self.psql(f'DROP DATABASE IF EXISTS "{self.db}" WITH (FORCE)')
            except Exception:  # noqa: BLE001
                traceback.print_exc()
        if keep:
            log(f"logs kept in {self.dir}")
        else:
            shutil.rmtree(self.dir, ignore_errors=True)

    def dump_logs(self):
        latest = {p.name: p for p in self.procs}  # the last instance of each program
        for p in latest.values():
            print(f"--- {p.name} ({p.log_path}) ---\n{p.tail()}", flush=True)


def inject(checks, t=None):
    t = time.monotonic() if t is None else t
    for c in checks:
        c.t_inject = t


def cleared(checks, t=None):
    t = time.monotonic() if t is None else t
    for c in checks:
        c.t_clear = t


# ==================================================================== scenarios

PROBES_CONFIG = """\
  - name: dashboard_health
    http: { method: GET, path: "/api/v1/projects/${project_id}/dashboard/health" }
    expect: { status: 200, json: { /unresolved_count: number, /events_24h: number, /new_today: number } }
  - name: settings_storage
    http: { method: GET, path: "/api/v1/projects/${project_id}/storage" }
    expect: { status: 200, json: { /event_count: number } }
  - name: settings_get
    interval: 150ms
    timeout: 120ms
    http: { method: GET, path: "/api/v1/projects/${project_id}/settings" }
    expect: { status: 200, json: { /retention_days: number } }
  - name: team_members_list
    http: { method: GET, path: "/api/v1/orgs/${org_id}/members" }
    expect: { status: 200 }
  - name: ws_stream_subscribe
    ws: { path: "/stream/projects/${project_id}", send: '{"filters":{}}', expect_reply: { /type: "filters_updated" } }
  - name: ingest_pipeline
    interval: 3s
    timeout: 2500ms
    pipeline:
      steps:
        - name: accepted
          http:
            method: POST
            path: /api/v1/events
            headers: { x-sentry-auth: "${api_key}" }
            body: '{"message":"alerting e2e ingest","level":"info","fingerprint":"synthetic:alerting"}'
          expect: { status: 202, json: { /status: "accepted" } }
        - name: ws_pushed
          ws_wait:
            match: { /type: "event", /data/fingerprint: "synthetic:alerting" }
          within: 1s
        - name: db_visible
          pg:
            query: >-
              SELECT 1 FROM issues WHERE project_id = $1::uuid AND fingerprint = 'synthetic:alerting'
                AND last_seen > now() - interval '1 minute'
            params: ["${project_id}"]
          within: 1s
"""


def scenario_probes(stack):
    """Faults a running Mesher shows on its endpoints, its stream and its console, all at once."""
    stack.create_db()
    stack.start_twin(wait_ready=False)  # first: it creates the schema meshwatch seeds fixtures into
    stack.start_meshwatch(PROBES_CONFIG)
    stack.wait_ready()
    stack.start_monitoring()
    probes = ["dashboard_health", "settings_storage", "settings_get", "team_members_list",
              "ws_stream_subscribe", "ingest_pipeline"]
    for p in probes:
        stack.wait_metric("meshwatch_probe_healthy", {"probe": p}, lambda v: v == 1, 60)
    # The latency baseline needs 60 + 20 passing runs of settings_get (daemon/latency_baseline.hpp)
    # before it gives a verdict: wait for the exported ratio.
    stack.wait_metric("meshwatch_probe_latency_regression_ratio", {"probe": "settings_get"}, lambda v: v > 0, 90)

    health = "/api/v1/projects/:project_id/dashboard/health"
    checks = [
        Check("MesherEndpointFailing", {"probe": "dashboard_health", "severity": "warning"},
              f"status 500 on {health} (DB-error body)"),
        Check("MesherWebSocketDown", {"probe": "ws_stream_subscribe"}, "ws_reject_all"),
        Check("MesherIngestPipelineStalled", {"probe": "ingest_pipeline"}, "status 500 on POST /api/v1/events"),
        Check("MesherResponseShapeChanged", {"probe": "settings_storage"},
              "shape: key estimated_bytes dropped from /storage (probe still passes)",
              "resolves when the change back leaves the 30 s (30 m) window"),
        Check("MesherEndpointLatencyRegression", {"probe": "settings_get"}, "slow 60 ms on /settings"),
        Check("MesherPanic", {"target": TARGET}, "handler_panic on /api/v1/orgs/:org_id/members",
              "resolves when the last panic leaves the 15 s (15 m) window"),
    ]
    stack.checks += checks
    stack.assert_quiet(checks)
    # The daemon learns a persistent shift as the new normal once it fills about half its
    # baseline: give it a baseline large enough that the regression outlives its `for:`.
    stack.wait_metric("meshwatch_probe_runs_total", {"probe": "settings_get"}, lambda v: v >= 170, 90)
    t0 = time.monotonic()
    inject(checks, t0)
    stack.fault("status", route=health)
    stack.fault("ws_reject_all")
    stack.fault("status", route="/api/v1/events")
    stack.fault("shape", route="/api/v1/projects/:project_id/storage", key="estimated_bytes")
    stack.fault("slow", route="/api/v1/projects/:project_id/settings", ms=60)
    stack.fault("handler_panic", route="/api/v1/orgs/:org_id/members")
    stack.wait_fired(checks, 90)
    cleared(checks)
    stack.fault("clear")
    stack.wait_resolved(checks, 90)
    return checks


def start_fast_path_only(stack, nofile):
    """A database of its own, the twin limited to `nofile` descriptors, meshwatch with only the
    fast-path probe, then Prometheus and Alertmanager."""
    stack.twin_nofile = nofile
    stack.create_db()
    stack.start_twin(wait_ready=False)
    stack.start_meshwatch("")
    stack.wait_ready()
    stack.start_monitoring()


def scenario_resources(stack):
    """The process slowly dying: memory that only grows, file descriptors running out."""
    start_fast_path_only(stack, 512)
    stack.wait_metric("meshwatch_target_max_fds", {"target": TARGET}, lambda v: v == 512, 30)
    fd_warn = Check("MesherFdExhaustion", {"severity": "warning"}, "fds: hold 97% of RLIMIT_NOFILE 512")
    fd_crit = Check("MesherFdExhaustion", {"severity": "critical"}, "fds: hold 97% of RLIMIT_NOFILE 512")
    mem = Check("MesherMemoryGrowth", {"target": TARGET}, "leak 1 MiB/s (twin started just before)",
                "fires once the process is up > 60 s (the rule's 1 h, compressed)")
    # Console heartbeats are independent of the process resources, and as slow (20 s / 45 s as
    # shipped): the same wait covers them. The warning tier fires first; once the critical one
    # fires, Alertmanager inhibits the warning.
    hb = [Check("MesherHeartbeatStale", {"heartbeat": h, "severity": sev},
                f"heartbeat_stop (threshold {age} s kept as shipped)")
          for h in ("load_monitor", "health_check") for sev, age in (("warning", 20), ("critical", 45))]
    checks = [fd_warn, fd_crit, mem] + hb
    stack.checks += checks
    stack.wait_metric("meshwatch_heartbeat_age_seconds", {"heartbeat": "health_check"}, lambda v: 0 <= v < 5, 30)
    stack.assert_quiet(checks)
    inject(checks)
    stack.fault("heartbeat_stop")
    stack.fault("leak", bytes_per_sec=1 << 20, max_bytes=256 << 20)
    open_now = len(os.listdir(f"/proc/{stack.twin.pid}/fd"))
    stack.fault("fds", count=int(512 * 0.97) - open_now)
    stack.wait_fired(checks, 150)
    cleared(checks)
    stack.fault("clear")
    stack.wait_resolved(checks, 120)
    return checks


class PortBlocker:
    """Holds Mesher's HTTP port: listening, never accepting (F-33: Mesher runs on without HTTP)."""

    def __init__(self, port):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("0.0.0.0", port))
        self.sock.listen(64)

    def close(self):
        self.sock.close()


def scenario_process(stack):
    """Mesher's process and database, and meshwatch itself."""
    stack.meshwatch_scrape = 2  # see the MeshwatchStalled step
    stack.create_db()
    probes = """\
  - name: db_reachable
    interval: 1s
    timeout: 900ms
    pg: { check: reachable }
  - name: db_partition_horizon
    interval: 1s
    timeout: 900ms
    pg: { check: partition_horizon, min_days: 1 }
"""
    stack.start_twin(wait_ready=False)
    stack.start_meshwatch(probes)
    stack.wait_ready()
    stack.start_monitoring()
    stack.wait_metric("meshwatch_db_partition_horizon_seconds", {"target": TARGET}, lambda v: v >= 86400 * 7, 30)

    # --- database refuses meshwatch's connections --------------------------------------------
    c = Check("MesherDatabaseDown", {"target": TARGET},
              "database CONNECTION LIMIT 0 + meshwatch's sessions terminated")
    stack.checks.append(c)
    stack.assert_quiet([c])
    inject([c])
    stack.psql(f'ALTER DATABASE "{stack.db}" CONNECTION LIMIT 0')
    stack.psql("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
               f"WHERE datname = '{stack.db}' AND application_name = 'meshwatch'")
    stack.wait_fired([c], 60)
    cleared([c])
    stack.psql(f'ALTER DATABASE "{stack.db}" CONNECTION LIMIT -1')
    stack.wait_resolved([c], 60)

    # --- events partitions run out ------------------------------------------------------------
    warn = Check("MesherPartitionHorizonLow", {"severity": "warning"},
                 "DROP TABLE of every events_* partition after today (psql)")
    crit = Check("MesherPartitionHorizonLow", {"severity": "critical"},
                 "DROP TABLE of every events_* partition after today (psql)")
    checks = [warn, crit]
    stack.checks += checks
    stack.assert_quiet(checks)
    inject(checks)
    stack.psql("DO $$ DECLARE t text; BEGIN FOR t IN SELECT c.relname FROM pg_inherits i "
               "JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent "
               "WHERE p.relname = 'events' AND c.relname > 'events_' || to_char(now(), 'YYYYMMDD') "
               "LOOP EXECUTE format('DROP TABLE %I', t); END LOOP; END $$", db=stack.db)
    stack.wait_fired(checks, 60)
    # The fix of the runbook: restart Mesher, which creates 7 days of partitions at start-up.
    cleared(checks)
    stack.kill_twin(signal.SIGTERM)
    stack.start_twin()
    stack.wait_resolved(checks, 60)

    # --- Mesher is gone ------------------------------------------------------------------------
    down = Check("MesherDown", {"target": TARGET}, "SIGKILL the twin (restarted to resolve)")
    stack.checks.append(down)
    stack.assert_quiet([down])
    inject([down])
    stack.kill_twin(signal.SIGKILL)
    stack.wait_fired([down], 60)
    cleared([down])
    stack.start_twin()
    stack.wait_resolved([down], 60)

    # --- running, never ready (F-33: the HTTP port is taken) -----------------------------------
    not_ready = Check("MesherNotReady", {"target": TARGET},
                      "restart with the HTTP port held by another socket (F-33)")
    stack.checks.append(not_ready)
    stack.assert_quiet([not_ready])
    stack.kill_twin(signal.SIGTERM)
    stack.blocker = PortBlocker(stack.http_port)
    inject([not_ready])
    stack.start_twin(wait_ready=False)
    stack.wait_fired([not_ready], 60)
    cleared([not_ready])
    stack.kill_twin(signal.SIGTERM)
    stack.blocker.close()
    stack.blocker = None
    stack.start_twin()
    stack.wait_resolved([not_ready], 60)

    # --- crash loop: killed twice (kill -9), then a panic + SIGABRT, each restarted at once ------
    # (Restart=always). Only the abort is a crash meshwatch may pin on a probe: two attributable
    # crashes right after the fast-path probe ran would get that probe suspended by crash
    # attribution, and the target could never become ready again (reported as a daemon bug).
    loop = Check("MesherCrashLooping", {"target": TARGET},
                 "3 deaths (kill -9, kill -9, panic/abort), each restarted at once")
    panic = Check("MesherPanic", {"target": TARGET}, "fault panic: Mesh panic block + SIGABRT")
    checks = [loop, panic]
    stack.checks += checks
    stack.assert_quiet(checks, timeout=90)  # the restarts above leave the windows first
    inject([loop])
    for crash in ("kill", "kill", "panic"):
        before = sum(metric_values(stack.scrape(), "meshwatch_target_restarts_total", {"target": TARGET}))
        if crash == "kill":
            stack.kill_twin(signal.SIGKILL)
        else:
            inject([panic])
            stack.fault(crash)
            stack.wait_twin_exit()
        stack.start_twin()
        stack.wait_metric("meshwatch_target_restarts_total", {"target": TARGET}, lambda v, b=before: v > b, 20)
    stack.wait_fired(checks, 60)
    cleared(checks)  # nothing to undo: the crashes stop, the windows slide past them
    stack.wait_resolved(checks, 60)

    # --- meshwatch's loop stalls (it gets no CPU for > 1 s at a time) ---------------------------
    # Stopped 1.3 s, running 70 ms: shorter than the 100 ms lag-probe period, so the lag gauge
    # always holds the last stall, whichever handler runs first after SIGCONT, and the queued
    # scrape is still answered within its 2 s timeout. Probe results of a stalled loop are
    # inconclusive, so no probe run is counted either: both causes of the alert fire.
    stalled = [Check("MeshwatchStalled", {"cause": cause}, "meshwatch SIGSTOP 1.3 s / SIGCONT 70 ms, repeatedly")
               for cause in ("loop_lag", "no_probe_runs")]
    stack.checks += stalled
    stack.assert_quiet(stalled)
    inject(stalled)
    stop = threading.Event()

    def starve():
        while not stop.is_set():
            stack.meshwatch.send(signal.SIGSTOP)
            time.sleep(1.3)
            stack.meshwatch.send(signal.SIGCONT)
            time.sleep(0.07)
        stack.meshwatch.send(signal.SIGCONT)

    starver = threading.Thread(target=starve, daemon=True)
    starver.start()
    try:
        stack.wait_fired(stalled, 90)
    finally:
        cleared(stalled)
        stop.set()
        starver.join(timeout=5)
    stack.wait_resolved(stalled, 60)

    # --- meshwatch is gone ---------------------------------------------------------------------
    mw_down = Check("MeshwatchDown", {"job": "meshwatch"}, "SIGTERM meshwatch (restarted to resolve)")
    stack.checks.append(mw_down)
    stack.assert_quiet([mw_down])
    inject([mw_down])
    stack.meshwatch.stop(signal.SIGTERM)
    stack.wait_fired([mw_down], 60)
    cleared([mw_down])
    stack.start_meshwatch()
    stack.wait_resolved([mw_down], 60)
    return stack.checks


class Noise:
    """A client misbehaving at a steady rate: connects, sends `payload`, reads a little, closes."""

    def __init__(self, port, payload, per_sec):
        self.stop_event = threading.Event()
        self.sent = 0

        def run():
            while not self.stop_event.is_set():
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                        s.settimeout(0.5)
                        s.sendall(payload)
                        self.sent += 1
                        try:
                            s.recv(1024)
                        except OSError:
                            pass
                except OSError:
                    pass
                time.sleep(1.0 / per_sec)

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()

    def stop(self):
        self.stop_event.set()
        self.thread.join(timeout=5)


def scenario_console(stack):
    """Error lines on Mesher's console (FAILURES.md D3, D11) that no other symptom shows."""
    start_fast_path_only(stack, 512)

    # --- events dropped by the storage writer ---------------------------------------------------
    dropped = Check("MesherEventsDropped", {"target": TARGET},
                    "batch_drop: 3 `[StorageWriter] Dropping batch of 50 events ...` lines on stdout",
                    "resolves when the lines leave the 5 s (5 m) window")
    stack.checks.append(dropped)
    stack.wait_scraped('meshwatch_console_events_total{kind="batch_dropped"}')
    stack.assert_quiet([dropped])
    inject([dropped])
    stack.fault("batch_drop", count=3, events=50)
    stack.wait_fired([dropped], 60)
    cleared([dropped])  # nothing to undo: the window slides past the lines
    stack.wait_resolved([dropped], 60)

    # --- bad clients: malformed HTTP requests, plain GETs on the WebSocket port -----------------
    # Thresholds are per minute and kept as shipped (30 and 10); the window is 5 s here.
    rates = [Check("MesherConsoleErrorRate", {"kind": "http_parse_error"}, "5 malformed requests/s to :http"),
             Check("MesherConsoleErrorRate", {"kind": "ws_upgrade_failed"}, "3 plain GETs/s to :ws")]
    stack.checks += rates
    stack.assert_quiet(rates)
    inject(rates)
    noise = [Noise(stack.http_port, b"NOT-HTTP\r\n\r\n", 5),
             Noise(stack.ws_port, b"GET /stream/projects/x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 3)]
    try:
        stack.wait_fired(rates, 60)
    finally:
        cleared(rates)
        for n in noise:
            n.stop()
    stack.wait_resolved(rates, 60)

    # --- Mesher's periodic jobs fail: the database refuses its connections ----------------------
    job = Check("MesherBackgroundJobFailing", {"kind": "alert_evaluator_error"},
                "database CONNECTION LIMIT 0 + every session terminated (evaluator runs every 1 s)")
    stack.checks.append(job)
    stack.assert_quiet([job])
    inject([job])
    stack.psql(f'ALTER DATABASE "{stack.db}" CONNECTION LIMIT 0')
    stack.psql(f"SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '{stack.db}'")
    try:
        stack.wait_fired([job], 60)
    finally:
        cleared([job])
        stack.psql(f'ALTER DATABASE "{stack.db}" CONNECTION LIMIT -1')
    stack.wait_resolved([job], 60)

    # --- start-up errors Mesher survives (D3) ---------------------------------------------------
    startup = [Check("MesherStartupError", {"kind": "partition_error"},
                     "restart with a table overlapping tomorrow's events partition (psql)"),
               Check("MesherStartupError", {"kind": "ws_start_failed"},
                     "restart with the WS port held by another socket")]
    for c in startup:
        c.note = "resolves when the start-up line leaves the 15 s (15 m) window"
    stack.checks += startup
    stack.assert_quiet(startup)
    stack.kill_twin(signal.SIGTERM)
    stack.psql("DO $$ DECLARE t text; BEGIN FOR t IN SELECT c.relname FROM pg_inherits i "
               "JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent "
               "WHERE p.relname = 'events' AND c.relname > 'events_' || to_char(now(), 'YYYYMMDD') "
               "LOOP EXECUTE format('DROP TABLE %I', t); END LOOP; "
               "EXECUTE format('CREATE TABLE events_overlap PARTITION OF events FOR VALUES FROM (%L) TO (%L)', "
               "(now() + interval '1 day')::date, (now() + interval '8 days')::date); END $$", db=stack.db)
    stack.blocker = PortBlocker(stack.ws_port)
    inject(startup)
    stack.start_twin()  # HTTP still starts: ready, so MesherDown / MesherNotReady stay quiet
    stack.wait_fired(startup, 60)
    # The runbook's fix: remove the cause, restart Mesher.
    cleared(startup)
    stack.kill_twin(signal.SIGTERM)
    stack.blocker.close()
    stack.blocker = None
    stack.psql("DROP TABLE events_overlap", db=stack.db)
    stack.start_twin()
    stack.wait_resolved(startup, 60)

    # --- fd exhaustion: the accept loop spins printing `accept error` (F-34) --------------------
    accept = Check("MesherConsoleErrorRate", {"kind": "accept_error"},
                   "fds: every descriptor of RLIMIT_NOFILE 512 held + a client waiting in the backlog",
                   "Alertmanager suppresses it if MesherFdExhaustion fired first; resolved by a restart "
                   "(the control port cannot accept either)")
    stack.checks.append(accept)
    stack.wait_metric("meshwatch_target_max_fds", {"target": TARGET}, lambda v: v == 512, 30)
    stack.assert_quiet([accept])
    inject([accept])
    stack.fault("fds", count=512)
    waiting = socket.create_connection(("127.0.0.1", stack.http_port), timeout=2)
    try:
        stack.wait_fired([accept], 60)
    finally:
        cleared([accept])
        waiting.close()
        stack.kill_twin(signal.SIGTERM)
    stack.start_twin()
    stack.wait_resolved([accept], 60)
    return stack.checks


SCENARIOS = {"probes": scenario_probes, "resources": scenario_resources, "process": scenario_process,
             "console": scenario_console}


def fmt(v):
    return "-" if v is None else f"{v:.1f}"


def table(checks):
    rows = [("alert", "fault", "fired s", "AM s", "AM state", "resolved s", "AM gone s", "result")]
    for c in checks:
        shown = "".join(f" {k}={c.seen_labels[k]}" for k in ("kind", "severity")
                        if k in c.seen_labels and k not in c.labels)
        rows.append((c.key() + shown, c.fault, fmt(c.fired), fmt(c.am_seen), c.am_state or "-", fmt(c.resolved),
                     fmt(c.am_gone), "ok" if c.error is None else "FAIL: " + c.error))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for i, r in enumerate(rows):
        lines.append("| " + " | ".join(v.ljust(widths[j]) for j, v in enumerate(r)) + " |")
        if i == 0:
            lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    lines += [f"  note: {c.key()}: {c.note}" for c in checks if c.note]
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("scenario", choices=sorted(SCENARIOS))
    ap.add_argument("--repo", required=True)
    ap.add_argument("--meshwatch", required=True, help="the meshwatch binary")
    ap.add_argument("--twin", required=True, help="the mesher-twin binary")
    ap.add_argument("--pg-dir", required=True)
    ap.add_argument("--work", default=None)
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    args = ap.parse_args()

    for tool in ("prometheus", "promtool", "prometheus-alertmanager", "psql"):
        if shutil.which(tool) is None:
            print(f"SKIP: {tool} not installed (scripts/deps)")
            return 77
    if args.work:
        os.makedirs(args.work, exist_ok=True)

    stack = Stack(args, args.scenario)
    started = time.monotonic()
    ok = False
    # SIGTERM from ctest's timeout: unwind through `finally` so every child is stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        SCENARIOS[args.scenario](stack)
        errors = stack.rule_errors()
        for e in errors:
            log(f"FAIL rule evaluation error: {e}")
        ok = not errors and bool(stack.checks) and all(c.error is None for c in stack.checks)
    except Exception:  # noqa: BLE001 - report, then clean up
        traceback.print_exc()
        stack.dump_logs()
    finally:
        print(f"\nalerting e2e, scenario {args.scenario} ({time.monotonic() - started:.0f} s): alert -> fault -> "
              "fired / resolved (s since the fault was injected / removed; AM = Alertmanager)")
        print(table(stack.checks), flush=True)
        if not ok and stack.checks:
            stack.dump_logs()
        stack.close(keep=args.keep or not ok)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
