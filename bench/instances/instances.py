#!/usr/bin/env python3
"""Throughput of numis deployments: one instance on SQLite (direct), and one
and two instances on PostgreSQL behind nginx with the deploy/ configuration.
run.sh is the entry point; its header says what is measured and how.

For each deployment, three phases with wrk, each after a warm-up:
drawing creates (bench/drawings/wrk.lua, the drawing of bench/drawings/run.sh),
drawing reads (the same script, over IDS drawings made beforehand), and WMS
GetMap with the render cache off (../shared/bench/wrk-cycle.lua over the
request list of ../shared/bench/requests.py). Around each measured phase the
CPU time (user + system, /proc/PID/stat) of the numis processes, of nginx
(master and workers) and of every PostgreSQL process is read, and divided
by the requests served: the CPU cost of one request.
"""

import argparse
import json
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
TICKS = os.sysconf("SC_CLK_TCK")


def log(message):
    print(message, file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.status, response.read()


def wait_healthy(url, process, what, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{what} exited at start")
        try:
            if get(url + "/healthz", timeout=2)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"{what} not healthy within {seconds} s")


def cpu_ticks(pids):
    """pid -> utime + stime in clock ticks, for the pids still alive."""
    ticks = {}
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            # Fields 14 and 15 of stat(5), counted after "pid (comm)".
            ticks[pid] = int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            pass
    return ticks


def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


def postgres_pids():
    """Every process of the PostgreSQL user (the cluster and its backends)."""
    out = subprocess.run(["pgrep", "-u", "postgres"], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def psql(url, sql):
    subprocess.run(["psql", url, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql],
                   check=True, capture_output=True)


class Deployment:
    """numis instances (and nginx in front, when `proxied`)."""

    def __init__(self, name, args, work, instances, store, proxied):
        self.name = name
        self.args = args
        self.work = os.path.join(work, name)
        os.makedirs(self.work)
        self.count = instances
        self.store = store
        self.proxied = proxied
        self.numis = []
        self.nginx = None
        self.url = None

    def env(self):
        env = {k: v for k, v in os.environ.items() if not k.startswith("NUMIS_")}
        env.update(
            RUST_LOG="warn",
            NUMIS_DRAWINGS__CREATES_PER_HOUR="0",
            NUMIS_WMS__RENDER_CACHE="false",
            NUMIS_DRAWINGS__CLIENT_ADDRESS_HEADER="X-Real-IP",
        )
        if self.store:
            env["NUMIS_STORE__URL"] = self.store
        return env

    def start(self):
        ports = []
        for n in range(self.count):
            port = free_port()
            ports.append(port)
            log_file = open(os.path.join(self.work, f"numis-{n}.log"), "wb")
            process = subprocess.Popen(
                [self.args.numis, "serve", "--bind", f"127.0.0.1:{port}",
                 "--data-dir", os.path.join(self.work, f"data-{n}"),
                 "--site-dir", os.path.join(REPO, "site")],
                env=self.env(), stdout=log_file, stderr=subprocess.STDOUT)
            self.numis.append(process)
        for port, process in zip(ports, self.numis):
            wait_healthy(f"http://127.0.0.1:{port}", process, f"{self.name}: numis")
        with open(os.path.join(self.work, "numis-0.log"), encoding="utf-8", errors="replace") as f:
            if "NUMIS_STORE__URL is not a numis setting" in f.read():
                raise SystemExit("this numis has no [store] url: build one with the PostgreSQL store")
        if not self.proxied:
            self.url = f"http://127.0.0.1:{ports[0]}"
            return
        port = free_port()
        self.nginx_start(port, ports)
        self.url = f"http://127.0.0.1:{port}"
        wait_healthy(self.url, self.nginx, f"{self.name}: nginx")

    def nginx_start(self, port, ports):
        prefix = os.path.join(self.work, "nginx")
        os.makedirs(prefix)
        os.chmod(prefix, 0o755)
        with open(os.path.join(REPO, "deploy", "nginx", "numis-upstream.conf"), encoding="utf-8") as f:
            upstream = f.read()
        # The shipped parameters, with this run's instances as its servers.
        lines = re.findall(r"^\s*server 127\.0\.0\.1:\d+ (.*);$", upstream, re.M)
        servers = "".join(f"    server 127.0.0.1:{p} {lines[0]};\n" for p in ports)
        upstream = re.sub(r"(^\s*server 127\.0\.0\.1:\d+ .*;\n)+", servers, upstream, flags=re.M)
        with open(os.path.join(prefix, "numis-upstream.conf"), "w", encoding="utf-8") as f:
            f.write(upstream)
        conf = os.path.join(prefix, "nginx.conf")
        with open(conf, "w", encoding="utf-8") as f:
            f.write(f"""worker_processes auto;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log emerg;
events {{ worker_connections 4096; }}
http {{
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    include {prefix}/numis-upstream.conf;
    server {{
        listen 127.0.0.1:{port};
        include {REPO}/deploy/nginx/numis-proxy.conf;
    }}
}}
""")
        nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
        self.nginx = subprocess.Popen([nginx, "-p", prefix, "-c", conf, "-g", "daemon off;"],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def pids(self):
        groups = {"numis": [p.pid for p in self.numis]}
        if self.nginx:
            groups["nginx"] = [self.nginx.pid] + children(self.nginx.pid)
        if self.store:
            groups["postgres"] = postgres_pids()
        return groups

    def stop(self):
        if self.nginx and self.nginx.poll() is None:
            self.nginx.send_signal(signal.SIGQUIT)
            self.nginx.wait(timeout=30)
        for process in self.numis:
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=60)


def wrk(args, script, url, script_args, duration):
    out = subprocess.run(
        ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{duration}s", "--timeout", "10s",
         "-s", script, url, "--"] + script_args,
        capture_output=True, text=True, check=True).stdout
    line = next((l for l in out.splitlines() if l.startswith("WRKSTAT ")), None)
    if line is None:
        raise SystemExit(f"wrk gave no result:\n{out}")
    stats = dict(kv.split("=", 1) for kv in line.split()[1:])
    requests = int(stats["requests"])
    seconds = float(stats.get("seconds") or stats.get("duration_s"))
    errors = int(stats.get("non2xx", 0)) + int(stats.get("socket_errors", 0)) + sum(
        int(stats.get(k, 0)) for k in ("err_connect", "err_read", "err_write", "err_status", "err_timeout"))
    return {"requests": requests, "rps": requests / seconds, "p50": float(stats["p50_ms"]),
            "p99": float(stats["p99_ms"]), "errors": errors}


def machine_ticks():
    """(busy, total) clock ticks of all cores since boot (/proc/stat)."""
    with open("/proc/stat", encoding="ascii") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    return sum(values) - idle, sum(values)


def measured(args, deployment, script, script_args):
    """Warm-up, then a measured run with the CPU of every process group,
    of wrk itself, and how busy the whole machine was."""
    wrk(args, script, deployment.url, script_args, args.warmup)
    groups = deployment.pids()
    before = {g: cpu_ticks(p) for g, p in groups.items()}
    machine_before = machine_ticks()
    wrk_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = wrk(args, script, deployment.url, script_args, args.duration)
    wrk_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    machine_after = machine_ticks()
    groups = deployment.pids()
    requests = max(result["requests"], 1)
    for group, pids in groups.items():
        after = cpu_ticks(pids)
        spent = sum(t - before[group].get(pid, 0) for pid, t in after.items())
        result[f"cpu_{group}"] = spent / TICKS * 1000 / requests
    wrk_seconds = (wrk_after.ru_utime - wrk_before.ru_utime) + (wrk_after.ru_stime - wrk_before.ru_stime)
    result["cpu_wrk"] = wrk_seconds * 1000 / requests
    busy = machine_after[0] - machine_before[0]
    total = machine_after[1] - machine_before[1]
    result["machine_busy"] = busy / max(total, 1)
    return result


def drawing_file(path):
    """The drawing of bench/drawings/run.sh, made by its own generator (the
    Python between `<<'PY'` and `PY` there), so both benchmarks save the
    same thing."""
    with open(os.path.join(REPO, "bench", "drawings", "run.sh"), encoding="utf-8") as f:
        text = f.read()
    source = re.search(r"<<'PY'\n(.*?)\nPY\n", text, re.S).group(1)
    with open(path, "w", encoding="utf-8") as out:
        subprocess.run([sys.executable, "-c", source], stdout=out, check=True)


def make_ids(url, drawing, count, path):
    with open(drawing, "rb") as f:
        body = f.read()
    with open(path, "w", encoding="ascii") as out:
        for _ in range(count):
            request = urllib.request.Request(
                url + "/api/drawings?title=Bench", data=body,
                headers={"Content-Type": "application/geo+json"}, method="POST")
            with urllib.request.urlopen(request, timeout=10) as response:
                out.write(json.load(response)["id"] + "\n")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--numis", default=os.path.join(REPO, "target", "release", "numis"))
    p.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/test")
    p.add_argument("--shared", default=os.path.join(REPO, "..", "shared"))
    p.add_argument("--duration", type=int, default=15)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--connections", type=int, default=8)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--ids", type=int, default=500)
    p.add_argument("--only", help="comma-separated deployments to run (sqlite1,pg1,pg2)")
    args = p.parse_args()

    bench = os.path.join(args.shared, "bench")
    work = tempfile.mkdtemp(prefix="numis-instances-")
    os.chmod(work, 0o755)  # nginx's workers (another user under root) buffer bodies below it
    drawing = os.path.join(work, "drawing.geojson")
    drawing_file(drawing)
    requests = os.path.join(work, "getmap.txt")
    subprocess.run([sys.executable, os.path.join(bench, "requests.py"), "-n", "2000", "--seed", "42",
                    "--path", "/ows", "-o", requests], check=True)
    drawings_lua = os.path.join(REPO, "bench", "drawings", "wrk.lua")
    getmap_lua = os.path.join(bench, "wrk-cycle.lua")

    plans = [("sqlite1", 1, False, False), ("pg1", 1, True, True), ("pg2", 2, True, True)]
    if args.only:
        plans = [plan for plan in plans if plan[0] in args.only.split(",")]
    log(f"# instances benchmark {time.strftime('%Y-%m-%dT%H:%MZ', time.gmtime())}, "
        f"{os.cpu_count()} cores, load {open('/proc/loadavg').read().split()[:3]}, "
        f"{args.connections} connections, {args.threads} wrk threads, "
        f"{args.warmup}s warm-up + {args.duration}s per phase")
    results = {}
    schemas = []
    try:
        for name, count, postgres, proxied in plans:
            store = None
            if postgres:
                schema = f"bench_{name}_{os.getpid()}"
                psql(args.postgres, f"CREATE SCHEMA {schema}")
                schemas.append(schema)
                store = args.postgres + "?options=" + urllib.parse.quote(f"-c search_path={schema}")
            deployment = Deployment(name, args, work, count, store, proxied)
            try:
                deployment.start()
                log(f"{name}: {count} instance(s), {'PostgreSQL' if postgres else 'SQLite'}, "
                    f"{'behind nginx' if proxied else 'direct'} at {deployment.url}")
                phase = {}
                phase["create"] = measured(args, deployment, drawings_lua, ["create", drawing])
                log(f"  create {phase['create']}")
                ids = os.path.join(work, f"{name}-ids")
                make_ids(deployment.url, drawing, args.ids, ids)
                phase["read"] = measured(args, deployment, drawings_lua, ["read", ids])
                log(f"  read   {phase['read']}")
                phase["getmap"] = measured(args, deployment, getmap_lua, [requests, str(args.threads)])
                log(f"  getmap {phase['getmap']}")
                results[name] = phase
            finally:
                deployment.stop()
    finally:
        for schema in schemas:
            psql(args.postgres, f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        shutil.rmtree(work, ignore_errors=True)

    labels = {"sqlite1": "1 × SQLite, direct", "pg1": "1 × PostgreSQL, nginx",
              "pg2": "2 × PostgreSQL, nginx"}
    print("| deployment | phase | req/s | p50 ms | p99 ms | errors "
          "| CPU ms/req: numis | nginx | PostgreSQL | wrk | machine busy |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    invalid = False
    for name, phases in results.items():
        for phase, r in phases.items():
            invalid |= r["errors"] > 0
            cpu = [f"{r[k]:.3f}" if k in r else "–"
                   for k in ("cpu_numis", "cpu_nginx", "cpu_postgres", "cpu_wrk")]
            print(f"| {labels[name]} | {phase} | {r['rps']:,.0f} | {r['p50']:.2f} | {r['p99']:.2f} | "
                  f"{r['errors']} | {' | '.join(cpu)} | {r['machine_busy']:.0%} |")
    print(json.dumps(results), file=sys.stderr)
    if invalid:
        log("errors were counted: the figures are invalid")
        sys.exit(3)


if __name__ == "__main__":
    main()
