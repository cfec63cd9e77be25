"""Start-up time and memory of `validator serve`, and of a one-page app on other web stacks.

    python benchmarks/bench_serve.py --rounds 9 [--other-python /tmp/venv/bin/python]

For each stack: spawn the process, read the port from its first stdout line, request the page
until it answers 200; report the time from spawn to that first 200 and the resident memory
(VmRSS) after it. Stacks are run interleaved, round after round; medians are printed.
``validator serve`` is measured as a clerk meets it: the token URL (303 + cookie), then the
page itself. The other stacks answer a hello-world page; they run on ``--other-python`` (a
throwaway venv with bottle, flask, waitress, tornado) so this project's venv stays as it is.
"""

from __future__ import annotations

import argparse
import http.client
import os
import statistics
import subprocess
import sys
import time

HELLO = {
    "stdlib ThreadingHTTPServer": """
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
class H(BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"hello"
        self.send_response(200); self.send_header("Content-Length", "5"); self.end_headers(); self.wfile.write(body)
    def log_message(self, *a): pass
s = ThreadingHTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
""",
    "bottle (wsgiref)": """
import bottle
from wsgiref.simple_server import make_server, WSGIRequestHandler
class Q(WSGIRequestHandler):
    def log_message(self, *a): pass
app = bottle.Bottle()
@app.route("/")
def index(): return "hello"
s = make_server("127.0.0.1", 0, app, handler_class=Q)
print(s.server_port, flush=True)
s.serve_forever()
""",
    "flask + waitress": """
import flask, waitress
app = flask.Flask("x")
@app.route("/")
def index(): return "hello"
s = waitress.create_server(app, host="127.0.0.1", port=0)
print(s.effective_port, flush=True)
s.run()
""",
    "tornado": """
import tornado.web, tornado.ioloop, tornado.httpserver, tornado.netutil
class H(tornado.web.RequestHandler):
    def get(self): self.write("hello")
app = tornado.web.Application([("/", H)])
socks = tornado.netutil.bind_sockets(0, "127.0.0.1")
tornado.httpserver.HTTPServer(app).add_sockets(socks)
print(socks[0].getsockname()[1], flush=True)
tornado.ioloop.IOLoop.current().start()
""",
}


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def get(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str]]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers=headers or {})
        r = conn.getresponse()
        r.read()
        return r.status, {k.lower(): v for k, v in r.getheaders()}
    finally:
        conn.close()


def run_once(cmd: list[str], env: dict[str, str], serve: bool) -> tuple[float, int]:
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline().strip()
        if serve:
            port = int(first.split(":")[2].split("/")[0])
            status, headers = get(port, "/" + first.split("/", 3)[3])
            assert status == 303, status
            cookie = headers["set-cookie"].split(";")[0]
            status, _ = get(port, "/", {"Cookie": cookie})
        else:
            status, _ = get(int(first), "/")
        elapsed = time.perf_counter() - start
        assert status == 200, status
        return elapsed, rss_kib(proc.pid)
    finally:
        proc.terminate()
        proc.wait()
        proc.stdout and proc.stdout.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=9)
    ap.add_argument("--other-python", help="interpreter with bottle, flask, waitress, tornado installed")
    args = ap.parse_args()
    env = {**os.environ, "NO_COLOR": "1"}
    stacks: dict[str, tuple[list[str], bool]] = {
        "validator serve (stdlib)": ([sys.executable, "-m", "validator", "serve", "--no-browser"], True),
        "python -c pass": ([sys.executable, "-c", "print(0, flush=True)"], False),
    }
    if args.other_python:
        for name, code in HELLO.items():
            stacks[name] = ([args.other_python, "-c", code], False)
    times: dict[str, list[float]] = {k: [] for k in stacks}
    rss: dict[str, list[int]] = {k: [] for k in stacks}
    for _ in range(args.rounds):
        for name, (cmd, serve) in stacks.items():
            if name == "python -c pass":
                t0 = time.perf_counter()
                subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
                times[name].append(time.perf_counter() - t0)
                continue
            t, r = run_once(cmd, env, serve)
            times[name].append(t)
            rss[name].append(r)
    load = os.getloadavg()[0]
    print(f"{'stack':<28} {'first 200 (ms)':>15} {'RSS (MiB)':>10}   (median of {args.rounds}; load {load:.1f})")
    for name in stacks:
        r = f"{statistics.median(rss[name]) / 1024:.1f}" if rss[name] else "-"
        print(f"{name:<28} {statistics.median(times[name]) * 1000:>15.0f} {r:>10}")


if __name__ == "__main__":
    main()
