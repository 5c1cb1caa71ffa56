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
        "admin:", "  listen: 127.0.0.1:0",
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
    """One /probe per 1/rate s over keep-alive; collects probe_duration_seconds and bb CPU."""
    scr = Scraper(bb_port)
    url = f"/probe?module={module}&target={target}"
    durs, ok = [], 0
    c0, w0 = cpu_s(pid), time.monotonic()
    nxt = time.monotonic()
    for _ in range(count):
        _, body = scr.get(url)
        if "probe_success 1" in body:
            ok += 1
        m = re.search(r"^probe_duration_seconds ([0-9.e+-]+)$", body, re.M)
        if m:
            durs.append(float(m.group(1)) * 1e6)
        nxt += 1.0 / rate
        time.sleep(max(0.0, nxt - time.monotonic()))
    c1, w1 = cpu_s(pid), time.monotonic()
    return {"probes": len(durs), "successes": ok, "cpu_ms_per_1000": 1e6 * (c1 - c0) / max(len(durs), 1),
            "duration_mean_us": statistics.mean(durs) if durs else None,
            "duration_p50_us": statistics.median(durs) if durs else None}


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
        # (c) paced 20/s, fast path and the deep route.
        count = 20 * args.duration
        res["blackbox_paced_fast"] = bb_paced(bb_port, "fast", target_fast, 20, count, bb.pid)
        res["blackbox_paced_deep"] = bb_paced(bb_port, "deep", target_deep, 20, count, bb.pid)
        res["blackbox_rss_after_mib"] = rss_mib(bb.pid)
    finally:
        stop(bb)
    res["floor_fast"] = floor(args, "/__meshwatch", 20, 20 * args.duration)
    res["floor_deep"] = floor(args, deep_path, 20, 20 * args.duration)
    # meshwatch: N copies at 100 ms. 400 copies ask for 4000 probes/s, more than it can do here.
    res["meshwatch_sat"] = mw_probe_run(args, f"sat{run}", "/__meshwatch", 404, "Not Found", args.sat_copies)
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


def bench_console(args, run):
    res = {}
    logf = os.path.join(args.work, "console-1M.log")
    if not os.path.exists(logf):
        subprocess.run([args.console_bench, "gen", logf, str(args.console_lines), "7"], check=True)
    nlines = args.console_lines
    out, _, _ = run_rusage([args.console_bench, "classify", logf, "1"], 300)
    res["meshwatch_classify"] = json.loads(out)["runs"][0]
    progs = os.path.join(args.work, "progs")
    os.makedirs(progs, exist_ok=True)
    shutil.copy(os.path.join(HERE, "mesher.mtail"), progs)
    out, wall, cpu = run_rusage(["mtail", "--one_shot", "--one_shot_format", "prometheus", "--progs", progs,
                                 "--logtostderr", "--address", "127.0.0.1", "--port", str(free_port()),
                                 "--logs", logf], 300)
    res["mtail_one_shot"] = {"wall_s": wall, "cpu_s": cpu, "lines_per_s": nlines / wall,
                             "cpu_us_per_line": cpu * 1e6 / nlines,
                             "mesh_panics": metric_sum(out, "mesher_mesh_panic_total")}
    # Tail mode: burst-append the log to an empty followed file, then single panic blocks.
    trials = args.detect_trials
    out, _, _ = run_rusage([args.console_bench, "tail", os.path.join(args.work, "mw-live.log"), logf,
                            str(trials)], 300)
    res["meshwatch_tail"] = json.loads(out)
    res["mtail_tail"] = mtail_tail(args, logf, nlines, trials)
    return res


def mtail_tail(args, logf, nlines, trials):
    live = os.path.join(args.work, "mtail-live.log")
    open(live, "w").close()
    port = free_port()
    progs = os.path.join(args.work, "progs")
    m = spawn(["mtail", "--progs", progs, "--logs", live, "--logtostderr", "--address", "127.0.0.1",
               "--port", str(port)])
    scr = Scraper(port)
    try:
        wait_for(lambda: scr.get("/metrics")[0] == 200, 10)
        time.sleep(1)
        rss_idle = rss_mib(m.pid)
        data = open(logf, "rb").read()
        fd = os.open(live, os.O_WRONLY | os.O_APPEND)
        c0, t0 = cpu_s(m.pid), time.monotonic()
        os.write(fd, data)

        def drained():
            v = metric_sum(scr.get("/metrics")[1], "mtail_log_lines_total")
            return v is not None and v >= nlines

        ok = wait_for(drained, 120, 0.01)
        t1, c1 = time.monotonic(), cpu_s(m.pid)
        block = ("\nthread '<unnamed>' (4242) panicked at crates/mesh-rt/src/panic.rs:33:9:\n"
                 "Mesh panic at <unknown>:0: non-exhaustive match in switch\n"
                 "note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n"
                 "\nthread '<unnamed>' (4242) panicked at library/core/src/panicking.rs:225:5:\n"
                 "panic in a function that cannot unwind\nstack backtrace:\n"
                 "   0:     0x5581d2c3e0aa - std::backtrace_rs::backtrace::libunwind::trace\n"
                 "   1:     0x5581d2c1b2d3 - core::panicking::panic_nounwind_fmt\n"
                 "   2:     0x5581d2c1b3e1 - core::panicking::panic_cannot_unwind\n"
                 "thread caused non-unwinding panic. aborting.\n").encode()
        lat = []
        for i in range(trials):
            time.sleep(0.2 + (i * 37 % 300) / 1000)
            before = metric_sum(scr.get("/metrics")[1], "mesher_mesh_panic_total") or 0
            w = time.monotonic()
            os.write(fd, block)
            end = w + 5
            while time.monotonic() < end:
                v = metric_sum(scr.get("/metrics")[1], "mesher_mesh_panic_total") or 0
                if v > before:
                    lat.append((time.monotonic() - w) * 1000)
                    break
                time.sleep(0.002)
        os.close(fd)
        return {"drained": bool(ok), "drain_s": t1 - t0, "lines_per_s": nlines / (t1 - t0),
                "cpu_us_per_line": (c1 - c0) * 1e6 / nlines, "rss_idle_mib": rss_idle,
                "rss_after_mib": rss_mib(m.pid), "detect_ms": lat}
    finally:
        stop(m)


# --------------------------------------------------------------------------- 3. process exits

def bench_process(args, run):
    res = {}
    d = os.path.join(args.work, f"proc{run}")
    os.makedirs(d, exist_ok=True)
    out, _, _ = run_rusage([args.process_bench, d, str(args.detect_trials)], 120)
    res["meshwatch_library"] = json.loads(out)
    fake = os.path.join(d, "mesher-fake")
    shutil.copy("/bin/sleep", fake)
    cfg = os.path.join(d, "pe.yml")
    with open(cfg, "w") as f:
        f.write('process_names:\n  - name: "{{.Comm}}"\n    comm: [mesher-fake]\n')
    port = free_port()
    pe = spawn(["prometheus-process-exporter", "-config.path", cfg, "-web.listen-address", f"127.0.0.1:{port}"])
    scr = Scraper(port)
    lat = []
    try:
        wait_for(lambda: scr.get("/metrics")[0] == 200, 10)

        def num():
            return metric_sum(scr.get("/metrics")[1], "namedprocess_namegroup_num_procs",
                              r'groupname="mesher-fake"') or 0

        for _ in range(args.detect_trials):
            victim = spawn([fake, "1000"])
            if not wait_for(lambda: num() >= 1, 5, 0.01):
                stop(victim)
                continue
            time.sleep(0.2)
            t0 = time.monotonic()
            victim.send_signal(signal.SIGSEGV)
            victim.wait(5)
            started.remove(victim)
            end = t0 + 5
            while time.monotonic() < end:
                if num() == 0:
                    lat.append((time.monotonic() - t0) * 1000)
                    break
                time.sleep(0.002)
        res["process_exporter_polled_2ms"] = {"detect_ms": lat, "rss_mib": rss_mib(pe.pid)}
    finally:
        stop(pe)
    return res


# --------------------------------------------------------------------------- main

def summary(results):
    """The table rows: (section, measure, meshwatch, peer, ratio meshwatch/peer) per run."""
    rows = []

    def med(xs):
        xs = [x for x in xs if x is not None and x >= 0]
        return statistics.median(xs) if xs else None

    for i, r in enumerate(results["runs"]):
        p, c, q = r.get("probe"), r.get("console"), r.get("process")
        if p:
            rows += [
                (i, "probe", "probes/s at saturation", p["meshwatch_sat"]["probes_per_s"], p["blackbox_sat"]["probes_per_s"]),
                (i, "probe", "CPU ms / 1000 probes, saturation", p["meshwatch_sat"]["cpu_ms_per_1000"], p["blackbox_sat"]["cpu_ms_per_1000"]),
                (i, "probe", "CPU ms / 1000 probes, 20/s fast path", p["meshwatch_paced_fast"]["cpu_ms_per_1000"], p["blackbox_paced_fast"]["cpu_ms_per_1000"]),
                (i, "probe", "CPU ms / 1000 probes, 20/s deep route", p["meshwatch_paced_deep"]["cpu_ms_per_1000"], p["blackbox_paced_deep"]["cpu_ms_per_1000"]),
                (i, "probe", "reported duration mean µs, 20/s fast", p["meshwatch_paced_fast"]["duration_mean_us"], p["blackbox_paced_fast"]["duration_mean_us"]),
                (i, "probe", "overhead over floor mean µs, 20/s fast",
                 (p["meshwatch_paced_fast"]["duration_mean_us"] or 0) - p["floor_fast"]["mean_us"],
                 (p["blackbox_paced_fast"]["duration_mean_us"] or 0) - p["floor_fast"]["mean_us"]),
                (i, "probe", "overhead over floor mean µs, 20/s deep",
                 (p["meshwatch_paced_deep"]["duration_mean_us"] or 0) - p["floor_deep"]["mean_us"],
                 (p["blackbox_paced_deep"]["duration_mean_us"] or 0) - p["floor_deep"]["mean_us"]),
                (i, "probe", "RSS MiB: mw full catalogue vs bb idle", p["meshwatch_catalogue_rss"]["rss_median_mib"], p["blackbox_rss_idle_mib"]),
                (i, "probe", "RSS MiB: mw saturation vs bb saturation", p["meshwatch_sat"]["rss_mib"], p["blackbox_sat"]["rss_mib"]),
            ]
        if c:
            rows += [
                (i, "console", "lines/s batch (in-process vs mtail one-shot)", c["meshwatch_classify"]["lines_per_s"], c["mtail_one_shot"]["lines_per_s"]),
                (i, "console", "CPU µs/line batch", c["meshwatch_classify"]["cpu_us_per_line"], c["mtail_one_shot"]["cpu_us_per_line"]),
                (i, "console", "lines/s tail burst (file follower vs mtail)", c["meshwatch_tail"]["lines_per_s"], c["mtail_tail"]["lines_per_s"]),
                (i, "console", "CPU µs/line tail burst", c["meshwatch_tail"]["cpu_us_per_line"], c["mtail_tail"]["cpu_us_per_line"]),
                (i, "console", "panic detect ms, median", med(c["meshwatch_tail"]["detect_ms"]), med(c["mtail_tail"]["detect_ms"])),
            ]
        if q:
            rows += [(i, "process", "exit detect ms, median (library vs PE polled 2ms)",
                      med(q["meshwatch_library"]["connector"]), med(q["process_exporter_polled_2ms"]["detect_ms"])),
                     (i, "process", "exit detect ms, median, no proc connector",
                      med(q["meshwatch_library"]["no_connector"]), med(q["process_exporter_polled_2ms"]["detect_ms"]))]
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
                try:
                    r[name] = sections[name](args, run)
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
    print(f"{'run':>3}  {'section':8} {'measure':52} {'meshwatch':>12} {'peer':>12} {'ratio':>8}")
    for row in results["table"]:
        print(f"{row['run']:>3}  {row['section']:8} {row['measure']:52} {fmt(row['meshwatch']):>12} "
              f"{fmt(row['peer']):>12} {fmt(row['ratio']):>8}")
    print("peers: blackbox_exporter (probe), mtail (console), process-exporter (process); ratio = meshwatch / peer")


if __name__ == "__main__":
    main()
