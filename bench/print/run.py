#!/usr/bin/env python3
"""Printed maps: seconds per PDF, PDFs per minute, peak memory and file size.

Usage (from the repository root, after `cargo build --release`):

    python3 bench/print/run.py [--binary target/release/numis] [--runs 5] [--burst 12]

For each case (A4 landscape and A3 landscape at 300 dpi, at 1:25,000 and
1:250,000, the demo's layers around Hannover, with legend) it starts a fresh
numis on a free port with its own data directory and the default print
settings (one worker per core), and

- times `--runs` prints one after another, from the POST to the job being
  done (the server's whole work: the map, the legend, the PDF), and reports
  the median and the slowest;
- sends `--burst` prints at once and reports PDFs per minute until the last
  is done (what the worker pool gives when the portal is busy);
- reads the server's peak resident memory (VmHWM from /proc) after the
  prints one at a time and again after the burst (two workers drawing at
  once, finished PDFs kept for their download), and the size of the PDF.

Prints a Markdown table. Needs only Python's standard library.
"""

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

CENTER = [550000, 5800000]  # Hannover, EPSG:25832
CASES = [
    ("A4", "landscape", 25000),
    ("A4", "landscape", 250000),
    ("A3", "landscape", 25000),
    ("A3", "landscape", 250000),
]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(url, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, headers={"content-type": "application/json"})
    with urllib.request.urlopen(req, timeout=120) as response:
        return response.read()


def submit(base, spec):
    return json.loads(request(base + "/api/print", spec))["id"]


def wait(base, job):
    while True:
        status = json.loads(request(f"{base}/api/print/{job}"))
        if status["status"] == "done":
            return status["bytes"]
        if status["status"] == "failed":
            sys.exit(f"print failed: {status.get('error')}")
        time.sleep(0.02)


def peak_rss_mb(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def start(binary, site):
    port = free_port()
    data = tempfile.mkdtemp(prefix="numis-print-bench-")
    log = open(os.path.join(data, "server.log"), "w")
    server = subprocess.Popen(
        [binary, "serve", "--bind", f"127.0.0.1:{port}", "--site-dir", site, "--data-dir", data],
        stdout=log, stderr=log, env={**os.environ, "RUST_LOG": "warn"},
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            request(base + "/healthz")
            return server, base
        except OSError:
            time.sleep(0.1)
    server.kill()
    sys.exit("numis did not start")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--binary", default="target/release/numis")
    parser.add_argument("--site", default="site")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--burst", type=int, default=12)
    parser.add_argument("--dpi", type=int, default=300)
    args = parser.parse_args()

    print(f"| paper | scale | dpi | s per PDF (median) | slowest | PDFs/min ({args.burst} at once) | peak RSS, one at a time | peak RSS, burst | PDF size |")
    print("|---|---|---|---|---|---|---|---|---|")
    for paper, orientation, scale in CASES:
        server, base = start(args.binary, args.site)
        try:
            spec = {
                "paper": paper, "orientation": orientation, "scale": scale, "dpi": args.dpi,
                "center": CENTER, "layers": ["demo"], "title": f"Benchmark {paper} 1:{scale}",
                "permalink": "/karte", "legend": True,
            }
            submit_and_wait = lambda: wait(base, submit(base, spec))
            size = submit_and_wait()  # warm: data prepared, fonts loaded
            times = []
            for _ in range(args.runs):
                started = time.perf_counter()
                size = submit_and_wait()
                times.append(time.perf_counter() - started)
            rss_single = peak_rss_mb(server.pid)
            started = time.perf_counter()
            jobs = [submit(base, spec) for _ in range(args.burst)]
            for job in jobs:
                wait(base, job)
            per_minute = args.burst / (time.perf_counter() - started) * 60
            rss = peak_rss_mb(server.pid)
        finally:
            server.kill()
            server.wait()
        print(
            f"| {paper} {orientation} | 1:{scale:,} | {args.dpi} | {statistics.median(times):.2f} s | "
            f"{max(times):.2f} s | {per_minute:.0f} | {rss_single:.0f} MB | {rss:.0f} MB | {size / 1e6:.1f} MB |"
        )


if __name__ == "__main__":
    main()
