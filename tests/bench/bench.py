#!/usr/bin/env python3
"""Side-by-side benchmarks of meshwatch against its peers (driven by scripts/bench).

Everything goes to 127.0.0.1; every load loop is bounded by a count and a duration; every
process started here is stopped by PID. Standard library only.
"""
import argparse
import http.client
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")
HERE = os.path.dirname(os.path.abspath(__file__))
started = []  # Popen objects, stopped in reverse order at exit


def log(msg):
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def spawn(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kw):
    p = subprocess.Popen(argv, stdout=stdout, stderr=stderr, **kw)
    started.append(p)
    return p


def stop(p):
    if p.poll() is None:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(5)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(5)
    if p in started:
        started.remove(p)


def cpu_s(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class Scraper:
    """Keep-alive GETs (one connection, reopened on error)."""

    def __init__(self, port):
        self.port = port
        self.conn = None

    def get(self, path):
        for _ in range(2):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                self.conn.request("GET", path)
                r = self.conn.getresponse()
                return r.status, r.read().decode("utf-8", "replace")
            except (OSError, http.client.HTTPException):
                self.conn = None
        return 0, ""


def metric_sum(text, name, label_re=None):
    total, found = 0.0, False
    for line in text.splitlines():
        if not line.startswith(name) or line.startswith("#"):
            continue
        head, _, value = line.rpartition(" ")
        if head.split("{")[0] != name:
            continue
        if label_re and not re.search(label_re, head):
            continue
        total += float(value)
        found = True
    return total if found else None


def buckets(text, name):
    out = {}
    for line in text.splitlines():
        if line.startswith(name + "_bucket{"):
            m = re.search(r'le="([^"]+)"', line)
            le = float("inf") if m.group(1) == "+Inf" else float(m.group(1))
            out[le] = out.get(le, 0.0) + float(line.rsplit(" ", 1)[1])
    return out


def hist_quantile(b0, b1, q):
    """Quantile of the observations between two bucket snapshots (linear inside a bucket)."""
    les = sorted(b1)
    counts = [b1[le] - b0.get(le, 0.0) for le in les]
    total = counts[-1] if counts else 0
    if total <= 0:
        return None
    rank, prev_le, prev_c = q * total, 0.0, 0.0
    for le, c in zip(les, counts):
        if c >= rank:
            if le == float("inf"):
                return prev_le
            return prev_le + (le - prev_le) * ((rank - prev_c) / max(c - prev_c, 1e-9))
        prev_le, prev_c = le, c
    return None


def wait_for(pred, timeout, step=0.05):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = pred()
        if v:
            return v
        time.sleep(step)
    return None


def pct(xs, q):
    """Nearest-rank percentile of a list (None when empty)."""
    xs = sorted(x for x in xs if x is not None)
    if not xs:
        return None
    return xs[min(len(xs) - 1, max(0, int(round(q * (len(xs) - 1)))))]


def dist(xs):
    """Median / p95 / mean / n of a list of samples, for the results file."""
    xs = [x for x in xs if x is not None]
    return {"n": len(xs), "p50": pct(xs, 0.5), "p95": pct(xs, 0.95),
            "mean": statistics.mean(xs) if xs else None}


class Poller(threading.Thread):
    """Polls one tool's /metrics in a tight loop (GET, test, sleep `step`) from `t0` until every predicate in
    `preds` (name → pred(text)) has held once, or `limit` seconds pass; `seen[name]` is the monotonic time the
    answer that first satisfied it arrived. Each tool gets its own thread and keep-alive connection, so tools
    polled side by side are polled the same way."""

    def __init__(self, port, preds, t0, limit, step=0.001):
        super().__init__(daemon=True)
        self.scr, self.preds, self.t0, self.limit, self.step = Scraper(port), preds, t0, limit, step
        self.seen, self.polls = {}, 0

    def run(self):
        time.sleep(max(0.0, self.t0 - 0.02 - time.monotonic()))
        end = self.t0 + self.limit
        while time.monotonic() < end and len(self.seen) < len(self.preds):
            _, text = self.scr.get("/metrics")
            now = time.monotonic()
            self.polls += 1
            for name, pred in self.preds.items():
                if name not in self.seen and pred(text):
                    self.seen[name] = now
            time.sleep(self.step)


def ratio(a, b):
    return round(a / b, 3) if a is not None and b not in (None, 0) else None


# --------------------------------------------------------------------------- meshwatch helpers

def start_meshwatch(args, config_text, name):
    path = os.path.join(args.work, f"{name}.yaml")
    with open(path, "w") as f:
        f.write(config_text)
    err = open(os.path.join(args.work, f"{name}.err"), "w+")
    p = spawn([args.meshwatch, "run", "--config", path], stderr=err)

    def port():
        err.seek(0)
        m = re.search(r"admin server listening on http://127\.0\.0\.1:(\d+)", err.read())
        return int(m.group(1)) if m else None

    admin = wait_for(port, 10)
    if admin is None:
        stop(p)
        err.seek(0)
        raise RuntimeError(f"meshwatch did not start: {err.read()[-2000:]}")
    return p, Scraper(admin)


def mw_config(args, probes, interval="100ms", timeout="100ms", extra_target=""):
    lines = [
        # The pollers ask /metrics up to every millisecond, as they do every peer's.
        "admin:", "  listen: 127.0.0.1:0", "  max_requests_per_second: 100000",
        "defaults:", f"  interval: {interval}", f"  timeout: {timeout}", "  jitter: 0%",
        "targets:", "  - name: mesher", f"    http: http://127.0.0.1:{args.http_port}",
        f"    ws: ws://127.0.0.1:{args.ws_port}",
    ]
    if extra_target:
        lines.append(extra_target)
    lines.append("probes:" if probes else "probes: []")
    for i, (path, status, body) in enumerate(probes):
        lines += [f"  - name: p{i:03d}", f"    http: {{ method: GET, path: \"{path}\" }}",
                  f"    expect: {{ status: {status}, body_prefix: '{body}' }}" if body else
                  f"    expect: {{ status: {status} }}"]
    return "\n".join(lines) + "\n"


def mw_probe_run(args, name, path, status, body, copies, settle=2.0):
    p, scr = start_meshwatch(args, mw_config(args, [(path, status, body)] * copies), name)
    try:
        time.sleep(settle)
        _, t0 = scr.get("/metrics")
        c0, w0 = cpu_s(p.pid), time.monotonic()
        time.sleep(args.duration)
        _, t1 = scr.get("/metrics")
        c1, w1 = cpu_s(p.pid), time.monotonic()
        rss = rss_mib(p.pid)
    finally:
        stop(p)
    runs = (metric_sum(t1, "meshwatch_probe_runs_total") or 0) - (metric_sum(t0, "meshwatch_probe_runs_total") or 0)
    fails = (metric_sum(t1, "meshwatch_probe_failures_total") or 0) - (metric_sum(t0, "meshwatch_probe_failures_total") or 0)
    dsum = (metric_sum(t1, "meshwatch_probe_duration_seconds_sum") or 0) - (metric_sum(t0, "meshwatch_probe_duration_seconds_sum") or 0)
    dcnt = (metric_sum(t1, "meshwatch_probe_duration_seconds_count") or 0) - (metric_sum(t0, "meshwatch_probe_duration_seconds_count") or 0)
    p50 = hist_quantile(buckets(t0, "meshwatch_probe_duration_seconds"), buckets(t1, "meshwatch_probe_duration_seconds"), 0.5)
    return {
        "probes": runs, "failures": fails, "probes_per_s": runs / (w1 - w0),
        "cpu_ms_per_1000": 1e6 * (c1 - c0) / runs if runs else None,
        "cores": (c1 - c0) / (w1 - w0), "rss_mib": rss,
        "duration_mean_us": 1e6 * dsum / dcnt if dcnt else None,
        "duration_p50_us_from_buckets": 1e6 * p50 if p50 is not None else None,
    }


# --------------------------------------------------------------------------- 1. probe engine

BLACKBOX_YML = """modules:
  fast:
    prober: http
    timeout: 5s
    http:
      valid_status_codes: [404]
      preferred_ip_protocol: ip4
      fail_if_body_not_matches_regexp: ['^Not Found']
  deep:
    prober: http
    timeout: 5s
    http:
      valid_status_codes: [200]
      preferred_ip_protocol: ip4
      fail_if_body_not_matches_regexp: ['unresolved_count']
"""


def bb_paced(bb_port, module, target, rate, count, pid):
    """One /probe per 1/rate s over keep-alive; collects probe_duration_seconds, its phases and bb CPU."""
    scr = Scraper(bb_port)
    url = f"/probe?module={module}&target={target}"
    durs, ok, phases = [], 0, {}
    c0, w0 = cpu_s(pid), time.monotonic()
    nxt = time.monotonic()
    for _ in range(count):
        _, body = scr.get(url)
        if "probe_success 1" in body:
            ok += 1
        m = re.search(r"^probe_duration_seconds ([0-9.e+-]+)$", body, re.M)
        if m:
            durs.append(float(m.group(1)) * 1e6)
        for m in re.finditer(r'^probe_http_duration_seconds\{phase="(\w+)"\} ([0-9.e+-]+)$', body, re.M):
            phases.setdefault(m.group(1), []).append(float(m.group(2)) * 1e6)
        nxt += 1.0 / rate
        time.sleep(max(0.0, nxt - time.monotonic()))
    c1, w1 = cpu_s(pid), time.monotonic()
    d = dist(durs)
    return {"probes": len(durs), "successes": ok, "cpu_ms_per_1000": 1e6 * (c1 - c0) / max(len(durs), 1),
            "duration_mean_us": d["mean"], "duration_p50_us": d["p50"], "duration_p95_us": d["p95"],
            "phase_p50_us": {k: pct(v, 0.5) for k, v in phases.items()},
            "phase_mean_us": {k: statistics.mean(v) for k, v in phases.items()}}


def mw_probe_latency(args, name, path, status, body, copies=2, on_ready=None):
    """meshwatch's *per-probe* reported durations: `copies` probes every 100 ms (the shortest interval it
    accepts; 2 copies = blackbox's 20/s), /status polled every 25 ms and deduplicated by each probe's start
    time. (The duration histogram's smallest bucket is 1 ms, so a p50 below 1 ms cannot be read from
    /metrics, and its _sum/_count mean is dominated by the machine's scheduling tail.)"""
    p, scr = start_meshwatch(args, mw_config(args, [(path, status, body)] * copies, interval="100ms",
                                             timeout="100ms"), name)
    durs, last = [], {}
    try:
        time.sleep(1.0)
        if on_ready:
            on_ready()
        _, t0 = scr.get("/metrics")
        end = time.monotonic() + args.duration
        while time.monotonic() < end:
            code, text = scr.get("/status")
            if code == 200:
                for probe in json.loads(text)["probes"]:
                    seen = probe.get("last")
                    if seen and seen.get("started") != last.get(probe["probe"]):
                        last[probe["probe"]] = seen["started"]
                        if seen.get("passed"):
                            durs.append(seen["duration_seconds"] * 1e6)
            time.sleep(0.025)
        _, t1 = scr.get("/metrics")
    finally:
        stop(p)
    phase_mean = {}
    for ph in ("connect", "write", "first_byte", "transfer"):
        lab = f'phase="{ph}"'
        s = (metric_sum(t1, "meshwatch_probe_phase_duration_seconds_sum", lab) or 0) - \
            (metric_sum(t0, "meshwatch_probe_phase_duration_seconds_sum", lab) or 0)
        n = (metric_sum(t1, "meshwatch_probe_phase_duration_seconds_count", lab) or 0) - \
            (metric_sum(t0, "meshwatch_probe_phase_duration_seconds_count", lab) or 0)
        phase_mean[ph] = 1e6 * s / n if n else None
    d = dist(durs)
    return {"probes": len(durs), "duration_p50_us": d["p50"], "duration_p95_us": d["p95"],
            "duration_mean_us": d["mean"], "phase_mean_us": phase_mean}


def floor(args, path, rate, count):
    out = subprocess.run([args.probe_floor, str(args.http_port), path, str(count), str(int(1000 / rate))],
                         capture_output=True, text=True, timeout=count / rate + 30)
    return json.loads(out.stdout)


def bench_probe(args, run):
    res = {}
    target_fast = f"http://127.0.0.1:{args.http_port}/__meshwatch"
    deep_path = "/api/v1/projects/5e000000-0000-4000-8000-000000000010/dashboard/health"
    target_deep = f"http://127.0.0.1:{args.http_port}{deep_path}"
    cfg = os.path.join(args.work, "blackbox.yml")
    with open(cfg, "w") as f:
        f.write(BLACKBOX_YML)
    bb_port = free_port()
    bb = spawn(["prometheus-blackbox-exporter", f"--config.file={cfg}",
                f"--web.listen-address=127.0.0.1:{bb_port}", "--log.level=warn"])
    try:
        scr = Scraper(bb_port)
        wait_for(lambda: scr.get("/metrics")[0] == 200, 10)
        time.sleep(1)
        res["blackbox_rss_idle_mib"] = rss_mib(bb.pid)
        for mod, tgt in (("fast", target_fast), ("deep", target_deep)):
            body = scr.get(f"/probe?module={mod}&target={tgt}")[1]
            if "probe_success 1" not in body:
                raise RuntimeError(f"blackbox module {mod} does not pass against the twin:\n{body[-800:]}")
        # (a) saturation: wrk, 4 connections, fixed duration.
        url = f"http://127.0.0.1:{bb_port}/probe?module=fast&target={target_fast}"
        c0 = cpu_s(bb.pid)
        out = subprocess.run(["wrk", "-t1", "-c4", f"-d{args.duration}s", "--timeout", "5s", url],
                             capture_output=True, text=True, timeout=args.duration + 30).stdout
        c1 = cpu_s(bb.pid)
        m = re.search(r"(\d+) requests in ([0-9.]+)s", out)
        n, secs = int(m.group(1)), float(m.group(2))
        res["blackbox_sat"] = {"probes": n, "probes_per_s": n / secs, "cpu_ms_per_1000": 1e6 * (c1 - c0) / n,
                               "cores": (c1 - c0) / secs, "rss_mib": rss_mib(bb.pid)}
        # (c) paced 20/s, fast path and the deep route: blackbox alone (its CPU per probe at this pace) ...
        count = 20 * args.duration
        res["blackbox_paced_fast"] = bb_paced(bb_port, "fast", target_fast, 20, count, bb.pid)
        res["blackbox_paced_deep"] = bb_paced(bb_port, "deep", target_deep, 20, count, bb.pid)
        # ... and the reported latency of all three side by side at the same moment (blackbox, meshwatch,
        # the floor client), each at 20/s, so the machine's load (shared cores) is the same for each.
        for kind, mod, tgt, path, status, body in (("fast", "fast", target_fast, "/__meshwatch", 404, "Not Found"),
                                                   ("deep", "deep", target_deep, deep_path, 200, "")):
            side = {}
            bb_thread = threading.Thread(target=lambda: side.update(bb=bb_paced(bb_port, mod, tgt, 20, count, bb.pid)))
            fl_thread = threading.Thread(target=lambda: side.update(floor=floor(args, path, 20, count)))
            side["mw"] = mw_probe_latency(args, f"l{kind}{run}", path, status, body,
                                          on_ready=lambda: (bb_thread.start(), fl_thread.start()))
            bb_thread.join()
            fl_thread.join()
            res[f"latency_{kind}"] = side
        res["blackbox_rss_after_mib"] = rss_mib(bb.pid)
    finally:
        stop(bb)
    # meshwatch: N copies at 100 ms. 400 copies ask for 4000 probes/s, more than it can do here.
    res["meshwatch_sat"] = mw_probe_run(args, f"sat{run}", "/__meshwatch", 404, "Not Found", args.sat_copies)
    # 2 copies at 100 ms = 20/s, alone: CPU per probe at blackbox's paced rate.
    res["meshwatch_paced_fast"] = mw_probe_run(args, f"pfast{run}", "/__meshwatch", 404, "Not Found", 2)
    res["meshwatch_paced_deep"] = mw_probe_run(args, f"pdeep{run}", deep_path, 200, "", 2)
    # (b) RSS with the full default catalogue pointed at the twin.
    res["meshwatch_catalogue_rss"] = catalogue_rss(args, run)
    return res


def catalogue_rss(args, run):
    text = open(os.path.join(args.source, "config/default.yaml")).read()
    text = text.replace("listen: 127.0.0.1:9847", "listen: 127.0.0.1:0")
    text = text.replace("http://127.0.0.1:8080", f"http://127.0.0.1:{args.http_port}")
    text = text.replace("ws://127.0.0.1:8081", f"ws://127.0.0.1:{args.ws_port}")
    text = text.replace("postgres://mesh:mesh@127.0.0.1:5432/mesher", args.dsn)
    text = re.sub(r"^    process:\n      match: .*\n", "", text, flags=re.M)
    p, scr = start_meshwatch(args, text, f"catalogue{run}")
    samples = []
    try:
        end = time.monotonic() + args.duration
        while time.monotonic() < end:
            samples.append(rss_mib(p.pid))
            time.sleep(0.1)
        _, t = scr.get("/metrics")
    finally:
        stop(p)
    return {"rss_median_mib": statistics.median(samples), "rss_max_mib": max(samples),
            "probes_in_catalogue": len(set(re.findall(r'probe="([^"]+)"', t)))}


# --------------------------------------------------------------------------- 2. console

def run_rusage(argv, timeout):
    t0 = time.monotonic()
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    started.append(p)
    out = p.stdout.read()
    _, status, ru = os.wait4(p.pid, 0)
    started.remove(p)
    p.returncode = status
    return out.decode(), time.monotonic() - t0, ru.ru_utime + ru.ru_stime


# The panic block of console_log.cpp (bench::panic_block): a Mesh-level panic that aborts.
PANIC_BLOCK = ("\nthread '<unnamed>' (4242) panicked at crates/mesh-rt/src/panic.rs:33:9:\n"
               "Mesh panic at <unknown>:0: non-exhaustive match in switch\n"
               "note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n"
               "\nthread '<unnamed>' (4242) panicked at library/core/src/panicking.rs:225:5:\n"
               "panic in a function that cannot unwind\nstack backtrace:\n"
               "   0:     0x5581d2c3e0aa - std::backtrace_rs::backtrace::libunwind::trace\n"
               "   1:     0x5581d2c1b2d3 - core::panicking::panic_nounwind_fmt\n"
               "   2:     0x5581d2c1b3e1 - core::panicking::panic_cannot_unwind\n"
               "thread caused non-unwinding panic. aborting.\n").encode()

MW_LINES = "meshwatch_console_lines_total"
MW_PANICS = "meshwatch_console_panics_total"
MTAIL_LINES = "mtail_log_lines_total"
MTAIL_PANICS = "mesher_mesh_panic_total"


def start_mtail(args, logs, poll=None):
    progs = os.path.join(args.work, "progs")
    os.makedirs(progs, exist_ok=True)
    shutil.copy(os.path.join(HERE, "mesher.mtail"), progs)
    port = free_port()
    argv = ["mtail", "--progs", progs, "--logs", logs, "--logtostderr", "--address", "127.0.0.1", "--port", str(port)]
    if poll:
        argv += ["--poll_interval", poll]
    m = spawn(argv)
    scr = Scraper(port)
    if not wait_for(lambda: scr.get("/metrics")[0] == 200, 10):
        stop(m)
        raise RuntimeError("mtail did not start")
    return m, scr, port


def start_mw_console(args, live, name):
    return start_meshwatch(args, mw_config(args, [], extra_target=f"    console: {{ file: {live} }}"), name)


def daemon_drain(pid, scr, lines_metric, live, data, nlines):
    """Burst-append `data` to the followed file `live`; time until the daemon's /metrics counts every line
    (polled every 10 ms), and its CPU over that span."""
    base = metric_sum(scr.get("/metrics")[1], lines_metric) or 0
    fd = os.open(live, os.O_WRONLY | os.O_APPEND)
    c0, t0 = cpu_s(pid), time.monotonic()
    os.write(fd, data)
    os.close(fd)

    def drained():
        v = metric_sum(scr.get("/metrics")[1], lines_metric)
        return v is not None and v - base >= nlines

    ok = wait_for(drained, 120, 0.01)
    t1, c1 = time.monotonic(), cpu_s(pid)
    return {"drained": bool(ok), "drain_s": t1 - t0, "lines_per_s": nlines / (t1 - t0),
            "cpu_s": c1 - c0, "cpu_us_per_line": (c1 - c0) * 1e6 / nlines, "rss_after_mib": rss_mib(pid)}


def bench_console(args, run):
    res = {}
    logf = os.path.join(args.work, "console-1M.log")
    if not os.path.exists(logf):
        subprocess.run([args.console_bench, "gen", logf, str(args.console_lines), "7"], check=True)
    nlines = args.console_lines
    data = open(logf, "rb").read()
    # (a) Batch, for reference: the classifier in-process vs mtail --one_shot (a debugging flag of mtail's).
    out, _, _ = run_rusage([args.console_bench, "classify", logf, "1"], 300)
    res["inprocess_classify"] = json.loads(out)["runs"][0]
    progs = os.path.join(args.work, "progs")
    os.makedirs(progs, exist_ok=True)
    shutil.copy(os.path.join(HERE, "mesher.mtail"), progs)
    out, wall, cpu = run_rusage(["mtail", "--one_shot", "--one_shot_format", "prometheus", "--progs", progs,
                                 "--logtostderr", "--address", "127.0.0.1", "--port", str(free_port()),
                                 "--logs", logf], 300)
    res["mtail_one_shot"] = {"wall_s": wall, "cpu_s": cpu, "lines_per_s": nlines / wall,
                             "cpu_us_per_line": cpu * 1e6 / nlines,
                             "mesh_panics": metric_sum(out, "mesher_mesh_panic_total")}
    # (b) Through the daemons, one at a time: `meshwatch run` following a file vs mtail following a file,
    # the log burst-appended, drained when each one's /metrics counts every line.
    live = os.path.join(args.work, f"mw-drain{run}.log")
    open(live, "w").close()
    p, scr = start_mw_console(args, live, f"console{run}")
    try:
        time.sleep(1)
        rss_idle = rss_mib(p.pid)
        res["meshwatch_run_drain"] = daemon_drain(p.pid, scr, MW_LINES, live, data, nlines)
        res["meshwatch_run_drain"]["rss_idle_mib"] = rss_idle
        res["meshwatch_run_drain"]["panics"] = metric_sum(scr.get("/metrics")[1], MW_PANICS)
    finally:
        stop(p)
    live = os.path.join(args.work, f"mtail-drain{run}.log")
    open(live, "w").close()
    m, scr, _ = start_mtail(args, live)
    try:
        time.sleep(1)
        rss_idle = rss_mib(m.pid)
        res["mtail_drain"] = daemon_drain(m.pid, scr, MTAIL_LINES, live, data, nlines)
        res["mtail_drain"]["rss_idle_mib"] = rss_idle
        res["mtail_drain"]["panics"] = metric_sum(scr.get("/metrics")[1], MTAIL_PANICS)
    finally:
        stop(m)
    # (c) Panic → metric, all daemons following the same file at once.
    res["detect"] = console_detect(args, run)
    # (d) In-process, for reference: the watcher library following a file, write() → panic callback.
    out, _, _ = run_rusage([args.console_bench, "tail", os.path.join(args.work, f"inproc-live{run}.log"), logf,
                            str(args.detect_trials)], 300)
    res["inprocess_tail"] = json.loads(out)
    return res


def console_detect(args, run):
    """Each trial appends one panic block with one write(); from the instant write() returns, each daemon's
    /metrics is polled by its own thread in the same loop (GET, test, sleep 1 ms) until its panic counter
    rises. Both daemons follow the same file, so they see the same event under the same load."""
    live = os.path.join(args.work, f"detect{run}.log")
    open(live, "w").close()
    tools = {}
    try:
        p, scr = start_mw_console(args, live, f"cdetect{run}")
        tools["meshwatch"] = (p, scr.port, MW_PANICS)
        m, _, port = start_mtail(args, live)
        tools["mtail"] = (m, port, MTAIL_PANICS)
        m10, _, port10 = start_mtail(args, live, poll="10ms")
        tools["mtail_poll10ms"] = (m10, port10, MTAIL_PANICS)
        time.sleep(1)
        # Idle cost while following (nothing written, nobody polling).
        c0 = {k: cpu_s(v[0].pid) for k, v in tools.items()}
        time.sleep(args.duration)
        idle = {k: (cpu_s(v[0].pid) - c0[k]) / args.duration for k, v in tools.items()}
        lat = {k: [] for k in tools}
        polls = {k: [] for k in tools}
        fd = os.open(live, os.O_WRONLY | os.O_APPEND)
        for i in range(args.detect_trials):
            time.sleep(0.2 + (i * 37 % 300) / 1000)
            before = {k: metric_sum(Scraper(v[1]).get("/metrics")[1], v[2]) or 0 for k, v in tools.items()}
            t0 = time.monotonic() + 0.05  # pollers run before the write; the event is at t0
            pollers = {k: Poller(v[1], {k: lambda text, n=v[2], b=before[k]: (metric_sum(text, n) or 0) > b}, t0, 5)
                       for k, v in tools.items()}
            for th in pollers.values():
                th.start()
            time.sleep(max(0.0, t0 - time.monotonic()))
            os.write(fd, PANIC_BLOCK)
            written = time.monotonic()
            for k, th in pollers.items():
                th.join(10)
                if k in th.seen:
                    lat[k].append((th.seen[k] - written) * 1000)
                polls[k].append(th.polls)
        os.close(fd)
        return {"detect_ms": lat, "detect": {k: dist(v) for k, v in lat.items()}, "polls_per_trial": polls,
                "idle_cores": idle, "rss_mib": {k: rss_mib(v[0].pid) for k, v in tools.items()}}
    finally:
        for v in tools.values():
            stop(v[0])


# --------------------------------------------------------------------------- 3. process exits

def bench_process(args, run):
    res = {}
    d = os.path.join(args.work, f"proc{run}")
    os.makedirs(d, exist_ok=True)
    # In-process, for reference: the watcher library alone, kill() → its `exited` callback.
    out, _, _ = run_rusage([args.process_bench, d, str(args.detect_trials)], 120)
    res["inprocess_library"] = json.loads(out)
    res["daemons"] = process_detect(args, d)
    return res


def process_detect(args, d):
    """`meshwatch run` (process: { pidfile }) and process-exporter watch the same process; each trial SIGSEGVs
    it and reaps it at once (as systemd would); from kill(), each daemon's /metrics is polled by its own
    thread in the same loop (GET, test, sleep 1 ms) until it shows the process gone."""
    fake = os.path.join(d, "mesher-fake")
    shutil.copy("/bin/sleep", fake)
    pidfile = os.path.join(d, "mesher.pid")

    def new_victim():
        v = spawn([fake, "1000"])
        tmp = pidfile + ".tmp"
        with open(tmp, "w") as f:
            f.write(f"{v.pid}\n")
        os.rename(tmp, pidfile)
        return v

    victim = new_victim()
    cfg = os.path.join(d, "pe.yml")
    with open(cfg, "w") as f:
        f.write('process_names:\n  - name: "{{.Comm}}"\n    comm: [mesher-fake]\n')
    tools = {}
    mw_up = lambda text: metric_sum(text, "meshwatch_target_up", r'target="mesher"')
    pe_num = lambda text: metric_sum(text, "namedprocess_namegroup_num_procs", r'groupname="mesher-fake"')
    mw_exits = lambda text: metric_sum(text, "meshwatch_target_exits_total") or 0
    try:
        p, scr = start_meshwatch(args, mw_config(args, [], extra_target=f"    process: {{ pidfile: {pidfile} }}"),
                                 "process")
        tools["meshwatch"] = (p, scr.port)
        port = free_port()
        pe = spawn(["prometheus-process-exporter", "-config.path", cfg, "-web.listen-address", f"127.0.0.1:{port}"])
        tools["process_exporter"] = (pe, port)
        pe_scr = Scraper(port)
        wait_for(lambda: pe_scr.get("/metrics")[0] == 200, 10)
        lat = {"meshwatch": [], "meshwatch_exit_counted": [], "process_exporter": []}
        polls = {"meshwatch": [], "process_exporter": []}
        for i in range(args.detect_trials):
            if i:
                victim = new_victim()
            if not wait_for(lambda: mw_up(scr.get("/metrics")[1]) == 1 and pe_num(pe_scr.get("/metrics")[1]) == 1,
                            10, 0.01):
                log("process: a tool did not see the new process within 10 s; trial skipped")
                stop(victim)
                continue
            time.sleep(0.2)
            exits0 = mw_exits(scr.get("/metrics")[1])
            t0 = time.monotonic() + 0.05
            pollers = [
                Poller(scr.port, {"meshwatch": lambda t: mw_up(t) == 0,
                                  "meshwatch_exit_counted": lambda t, e=exits0: mw_exits(t) > e}, t0, 5),
                Poller(port, {"process_exporter": lambda t: pe_num(t) == 0}, t0, 5),
            ]
            for th in pollers:
                th.start()
            time.sleep(max(0.0, t0 - time.monotonic()))
            killed = time.monotonic()
            victim.send_signal(signal.SIGSEGV)
            victim.wait(5)
            started.remove(victim)
            for name, th in zip(polls, pollers):
                th.join(10)
                polls[name].append(th.polls)
                for k, seen in th.seen.items():
                    lat[k].append((seen - killed) * 1000)
        return {"detect_ms": lat, "detect": {k: dist(v) for k, v in lat.items()}, "polls_per_trial": polls,
                "rss_mib": {k: rss_mib(v[0].pid) for k, v in tools.items()}}
    finally:
        for v in tools.values():
            stop(v[0])
        if victim in started:
            stop(victim)


# --------------------------------------------------------------------------- main

def summary(results):
    """The table rows: (run, section, measure, meshwatch, peer) per run; the ratio is meshwatch / peer."""
    rows = []

    def get(d, *path):
        for k in path:
            if not isinstance(d, dict) or k not in d:
                return None
            d = d[k]
        return d

    def minus(a, b):
        return a - b if a is not None and b is not None else None

    for i, r in enumerate(results["runs"]):
        p, c, q = r.get("probe"), r.get("console"), r.get("process")
        if p:
            lf, ld = p.get("latency_fast", {}), p.get("latency_deep", {})
            rows += [
                (i, "probe", "probes/s at saturation", get(p, "meshwatch_sat", "probes_per_s"), get(p, "blackbox_sat", "probes_per_s")),
                (i, "probe", "failed probes % at saturation (wrk does not check bb's)",
                 100 * get(p, "meshwatch_sat", "failures") / get(p, "meshwatch_sat", "probes") if get(p, "meshwatch_sat", "probes") else None, None),
                (i, "probe", "CPU ms / 1000 probes, saturation", get(p, "meshwatch_sat", "cpu_ms_per_1000"), get(p, "blackbox_sat", "cpu_ms_per_1000")),
                (i, "probe", "CPU ms / 1000 probes, 20/s fast path", get(p, "meshwatch_paced_fast", "cpu_ms_per_1000"), get(p, "blackbox_paced_fast", "cpu_ms_per_1000")),
                (i, "probe", "CPU ms / 1000 probes, 20/s deep route", get(p, "meshwatch_paced_deep", "cpu_ms_per_1000"), get(p, "blackbox_paced_deep", "cpu_ms_per_1000")),
                (i, "probe", "reported latency p50 µs, fast path, side by side", get(lf, "mw", "duration_p50_us"), get(lf, "bb", "duration_p50_us")),
                (i, "probe", "reported latency p95 µs, fast path, side by side", get(lf, "mw", "duration_p95_us"), get(lf, "bb", "duration_p95_us")),
                (i, "probe", "reported latency mean µs, fast path, side by side", get(lf, "mw", "duration_mean_us"), get(lf, "bb", "duration_mean_us")),
                (i, "probe", "p50 over floor client's p50 µs, fast path", minus(get(lf, "mw", "duration_p50_us"), get(lf, "floor", "p50_us")),
                 minus(get(lf, "bb", "duration_p50_us"), get(lf, "floor", "p50_us"))),
                (i, "probe", "reported latency p50 µs, deep route, side by side", get(ld, "mw", "duration_p50_us"), get(ld, "bb", "duration_p50_us")),
                (i, "probe", "p50 over floor client's p50 µs, deep route", minus(get(ld, "mw", "duration_p50_us"), get(ld, "floor", "p50_us")),
                 minus(get(ld, "bb", "duration_p50_us"), get(ld, "floor", "p50_us"))),
                (i, "probe", "RSS MiB: mw full catalogue vs bb idle", get(p, "meshwatch_catalogue_rss", "rss_median_mib"), p.get("blackbox_rss_idle_mib")),
                (i, "probe", "RSS MiB: mw saturation vs bb saturation", get(p, "meshwatch_sat", "rss_mib"), get(p, "blackbox_sat", "rss_mib")),
            ]
        if c:
            rows += [
                (i, "console", "lines/s, meshwatch run vs mtail, file burst", get(c, "meshwatch_run_drain", "lines_per_s"), get(c, "mtail_drain", "lines_per_s")),
                (i, "console", "CPU µs/line, meshwatch run vs mtail", get(c, "meshwatch_run_drain", "cpu_us_per_line"), get(c, "mtail_drain", "cpu_us_per_line")),
                (i, "console", "lines/s batch (in-process vs mtail one-shot)", get(c, "inprocess_classify", "lines_per_s"), get(c, "mtail_one_shot", "lines_per_s")),
                (i, "console", "CPU µs/line batch (in-process vs one-shot)", get(c, "inprocess_classify", "cpu_us_per_line"), get(c, "mtail_one_shot", "cpu_us_per_line")),
                (i, "console", "panic→metric p50 ms, vs mtail (250 ms poll)", get(c, "detect", "detect", "meshwatch", "p50"), get(c, "detect", "detect", "mtail", "p50")),
                (i, "console", "panic→metric p95 ms, vs mtail (250 ms poll)", get(c, "detect", "detect", "meshwatch", "p95"), get(c, "detect", "detect", "mtail", "p95")),
                (i, "console", "panic→metric p50 ms, vs mtail --poll_interval 10ms", get(c, "detect", "detect", "meshwatch", "p50"), get(c, "detect", "detect", "mtail_poll10ms", "p50")),
                (i, "console", "in-process: write→panic callback p50 ms vs mtail /metrics",
                 statistics.median(get(c, "inprocess_tail", "detect_ms")) if get(c, "inprocess_tail", "detect_ms") else None,
                 get(c, "detect", "detect", "mtail", "p50")),
                (i, "console", "idle CPU % of a core following, vs mtail (250 ms)", (get(c, "detect", "idle_cores", "meshwatch") or 0) * 100, (get(c, "detect", "idle_cores", "mtail") or 0) * 100),
                (i, "console", "idle CPU % of a core, vs mtail --poll_interval 10ms", (get(c, "detect", "idle_cores", "meshwatch") or 0) * 100, (get(c, "detect", "idle_cores", "mtail_poll10ms") or 0) * 100),
                (i, "console", "RSS MiB after the burst, meshwatch run vs mtail", get(c, "meshwatch_run_drain", "rss_after_mib"), get(c, "mtail_drain", "rss_after_mib")),
            ]
        if q:
            rows += [
                (i, "process", "exit→metric p50 ms (target_up 0 vs num_procs 0)", get(q, "daemons", "detect", "meshwatch", "p50"), get(q, "daemons", "detect", "process_exporter", "p50")),
                (i, "process", "exit→metric p95 ms", get(q, "daemons", "detect", "meshwatch", "p95"), get(q, "daemons", "detect", "process_exporter", "p95")),
                (i, "process", "exit→exits_total p50 ms (classified) vs num_procs 0", get(q, "daemons", "detect", "meshwatch_exit_counted", "p50"), get(q, "daemons", "detect", "process_exporter", "p50")),
                (i, "process", "in-process: kill→callback p50 ms vs PE /metrics",
                 statistics.median(get(q, "inprocess_library", "connector")) if get(q, "inprocess_library", "connector") else None,
                 get(q, "daemons", "detect", "process_exporter", "p50")),
            ]
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--meshwatch", required=True)
    ap.add_argument("--bin-dir", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("--ports-file", required=True)
    ap.add_argument("--dsn", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--sat-copies", type=int, default=400)
    ap.add_argument("--console-lines", type=int, default=1_000_000)
    ap.add_argument("--detect-trials", type=int, default=10)
    ap.add_argument("--only", default="probe,console,process")
    args = ap.parse_args()
    args.duration = max(2, min(args.duration, 60))
    ports = json.load(open(args.ports_file))
    args.http_port, args.ws_port = ports["http"], ports["ws"]
    args.probe_floor = os.path.join(args.bin_dir, "probe_floor")
    args.console_bench = os.path.join(args.bin_dir, "console_bench")
    args.process_bench = os.path.join(args.bin_dir, "process_bench")
    os.makedirs(args.work, exist_ok=True)
    sections = {"probe": bench_probe, "console": bench_console, "process": bench_process}
    results = {"when": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "duration_s": args.duration, "runs": []}
    try:
        for run in range(args.runs):
            r = {}
            for name in args.only.split(","):
                log(f"run {run + 1}/{args.runs}: {name}")
                load0 = open("/proc/loadavg").read().split()[:3]
                try:
                    r[name] = sections[name](args, run)
                    r[name]["loadavg_before_after"] = [load0, open("/proc/loadavg").read().split()[:3]]
                except Exception as e:  # one broken section must not hide the others
                    log(f"{name} failed: {e}")
                    r[name + "_error"] = str(e)
            results["runs"].append(r)
    finally:
        for p in reversed(list(started)):
            stop(p)
    rows = summary(results)
    results["table"] = [{"run": i + 1, "section": s, "measure": m, "meshwatch": a, "peer": b, "ratio": ratio(a, b)}
                        for i, s, m, a, b in rows]
    with open(args.out, "w") as f:
        json.dump(results, f, indent=2)
    fmt = lambda v: "-" if v is None else (f"{v:,.1f}" if abs(v) >= 10 else f"{v:.3f}")
    print(f"{'run':>3}  {'section':8} {'measure':56} {'meshwatch':>12} {'peer':>12} {'ratio':>8}")
    for i, r in enumerate(results["runs"]):
        for name in sections:
            if name in r:
                print(f"run {i + 1} {name}: load average before {' '.join(r[name]['loadavg_before_after'][0])}, "
                      f"after {' '.join(r[name]['loadavg_before_after'][1])}")
    for row in results["table"]:
        print(f"{row['run']:>3}  {row['section']:8} {row['measure']:56} {fmt(row['meshwatch']):>12} "
              f"{fmt(row['peer']):>12} {fmt(row['ratio']):>8}")
    print("peers: blackbox_exporter (probe), mtail (console), process-exporter (process); ratio = meshwatch / peer")


if __name__ == "__main__":
    main()
