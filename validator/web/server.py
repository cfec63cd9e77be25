"""The local web server of `validator serve`: the standard library's ThreadingHTTPServer on
127.0.0.1 only, guarded as Jupyter and Datasette guard theirs.

* **Token.** A fresh ``secrets.token_urlsafe(32)`` per run. The first visit brings it in the URL
  (``/?token=…``) and gets it back as an HttpOnly SameSite=Strict cookie, then a redirect to a
  URL without it; every request must carry it (cookie, ``?token=`` or ``Authorization: Bearer``),
  compared in constant time, or gets 403.
* **Host header** must name this server (127.0.0.1, localhost or [::1] with our port): a page
  on another site that re-points its DNS name at 127.0.0.1 (DNS rebinding) is refused.
* **POSTs** must come from this page: an ``Origin`` (or ``Sec-Fetch-Site``) other than ours is
  refused, and so is a cookie-only POST that shows neither; the bodies are JSON or a zip, which
  no cross-site form can send without a CORS pre-flight that this server never answers.
* **Nothing is written into the materials**: each job writes into its own folder under a
  private temporary directory, removed when the server stops; an uploaded zip is kept there
  as it came (checked in place, as `validator check PACK.zip` checks it) and deleted as soon
  as its check is done.
"""

from __future__ import annotations

import hmac
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http import HTTPStatus
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

MAX_UPLOAD_BYTES = 512 * 1024 * 1024
MAX_JSON_BYTES = 64 * 1024
_JOB_ID_LEN = 16
_OUTPUTS = {
    "html": "text/html; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json; charset=utf-8",
}
_PAGE_CSP = ("default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; connect-src 'self'; "
             "frame-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'")
_REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'; sandbox allow-same-origin"


@dataclass
class Job:
    id: str
    folder: str  # the job's own output folder
    lang: str
    state: str = "queued"  # queued | running | done | failed
    mode: str = ""
    unit: str = ""
    total: int = 0
    done: int = 0
    summary: dict[str, Any] = field(default_factory=dict)
    key: str = ""  # why it failed (a word of the page)
    detail: str = ""
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None
    cleanup: str | None = None  # an uploaded zip's folder to delete when the check ends
    process: subprocess.Popen[str] | None = None

    def public(self) -> dict[str, Any]:
        return {"id": self.id, "state": self.state, "mode": self.mode, "unit": self.unit, "total": self.total,
                "done": self.done, "summary": self.summary, "key": self.key, "detail": self.detail,
                "seconds": round((self.finished or time.monotonic()) - self.started, 1)}


class Jobs:
    """Checks run one at a time (each in its own worker process); the rest wait their turn."""

    def __init__(self, workdir: str) -> None:
        self.workdir = workdir
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._turn = threading.Semaphore(1)
        self._closed = False

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def submit(self, path: str, specs: list[str], mode: str, lang: str, cleanup: str | None = None,
               zip_name: str = "") -> Job:
        job_id = secrets.token_hex(_JOB_ID_LEN // 2)
        folder = os.path.join(self.workdir, job_id)
        os.mkdir(folder, 0o700)
        job = Job(job_id, folder, lang, cleanup=cleanup)
        request = {"path": path, "specs": specs, "mode": mode, "lang": lang, "out": folder, "zip_name": zip_name}
        with open(os.path.join(folder, "request.json"), "w", encoding="utf-8") as f:
            json.dump(request, f, ensure_ascii=False)
        with self._lock:
            self._jobs[job_id] = job
        threading.Thread(target=self._run, args=(job,), daemon=True, name=f"job-{job_id}").start()
        return job

    def _run(self, job: Job) -> None:
        try:
            with self._turn:
                if self._closed:
                    return
                job.state = "running"
                job.started = time.monotonic()
                self._work(job)
        finally:
            if job.cleanup:
                shutil.rmtree(job.cleanup, ignore_errors=True)
            job.finished = time.monotonic()
            # "done" only once the worker has exited and an uploaded zip is gone
            if job.summary and not job.key:
                job.state = "done"
            else:
                job.state, job.key = "failed", job.key or "failed"

    def _work(self, job: Job) -> None:
        env = {**os.environ, "PYTHONIOENCODING": "utf-8", "NO_COLOR": "1"}
        with open(os.path.join(job.folder, "stderr.txt"), "w", encoding="utf-8") as err:
            proc = subprocess.Popen(
                [sys.executable, "-m", "validator.web.worker", os.path.join(job.folder, "request.json")],
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err, text=True, encoding="utf-8",
                env=env, cwd=job.folder,
            )
            job.process = proc
            assert proc.stdout is not None
            for line in proc.stdout:
                self._event(job, line)
            proc.wait()
        if not job.summary and not job.key:
            job.key = "failed"
            job.detail = _last_line(os.path.join(job.folder, "stderr.txt")) or f"exit {proc.returncode}"

    @staticmethod
    def _event(job: Job, line: str) -> None:
        try:
            event = json.loads(line)
        except ValueError:
            return
        kind = event.pop("event", "")
        if kind == "start":
            job.mode, job.unit, job.total = event["mode"], event["unit"], event["total"]
        elif kind == "progress":
            job.done = event["done"]
        elif kind == "done":
            job.done = job.total
            job.summary = event
        elif kind == "error":
            job.key, job.detail = event.get("key", "failed"), event.get("detail", "")

    def close(self) -> None:
        self._closed = True
        with self._lock:
            jobs = list(self._jobs.values())
        for job in jobs:
            if job.process is not None and job.process.poll() is None:
                job.process.kill()
                job.process.wait()
            if job.cleanup:
                shutil.rmtree(job.cleanup, ignore_errors=True)


def _last_line(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = [x for x in f.read().splitlines() if x.strip()]
    except OSError:
        return ""
    return lines[-1][:500] if lines else ""


class App:
    """What the handler needs: the token, the port, the jobs, the language, the specs on offer."""

    def __init__(self, lang: str, token: str | None = None) -> None:
        self.lang = lang
        self.token = token or secrets.token_urlsafe(32)
        self.workdir = tempfile.mkdtemp(prefix="validator-serve-")
        self.jobs = Jobs(self.workdir)
        self.port = 0
        self._specs: list[tuple[str, str]] | None = None
        self._specs_lock = threading.Lock()

    @property
    def cookie_name(self) -> str:
        return f"validator_token_{self.port}"  # cookies ignore ports: two servers must not share one

    def allowed_hosts(self) -> set[str]:
        return {f"127.0.0.1:{self.port}", f"localhost:{self.port}", f"[::1]:{self.port}"}

    def specs(self) -> list[tuple[str, str]]:
        """The built-in specs (id, title) the page offers; loading them takes ~0.1 s, so
        :meth:`warm` starts it while the browser is still opening."""
        with self._specs_lock:
            if self._specs is None:
                from validator.spec import SpecError, builtin_ids, load_spec

                found = []
                for sid in builtin_ids():
                    try:
                        found.append((sid, load_spec(sid).title or ""))
                    except SpecError:
                        continue
                self._specs = found
            return self._specs

    def warm(self) -> None:
        threading.Thread(target=self.specs, daemon=True, name="warm-specs").start()

    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/?token={self.token}"

    def close(self) -> None:
        self.jobs.close()
        shutil.rmtree(self.workdir, ignore_errors=True)


class Handler(BaseHTTPRequestHandler):
    server_version = "validator"
    sys_version = ""
    app: App  # set on the subclass made by make_server

    # -- plumbing --------------------------------------------------------------------------

    def log_message(self, format: str, *args: Any) -> None:
        pass  # request lines carry the token: never logged

    def _send(self, status: int, body: bytes, ctype: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Cross-Origin-Resource-Policy", "same-origin")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, data: object) -> None:
        self._send(status, json.dumps(data, ensure_ascii=False).encode("utf-8"), "application/json; charset=utf-8")

    def _refuse(self, status: int = HTTPStatus.FORBIDDEN, why: str = "forbidden") -> None:
        self._send(status, f"{int(status)} {why}\n".encode(), "text/plain; charset=utf-8")

    # -- the guards ------------------------------------------------------------------------

    def _host_ok(self) -> bool:
        return (self.headers.get("Host") or "").lower() in self.app.allowed_hosts()

    def _presented_token(self) -> tuple[str, bool]:
        """(token, came from the cookie alone)."""
        query = parse_qs(urlsplit(self.path).query)
        if query.get("token"):
            return query["token"][0], False
        auth = self.headers.get("Authorization") or ""
        if auth.startswith("Bearer "):
            return auth[7:].strip(), False
        cookie = SimpleCookie()
        try:
            cookie.load(self.headers.get("Cookie") or "")
        except Exception:  # a malformed Cookie header is no token
            return "", True
        morsel = cookie.get(self.app.cookie_name)
        return (morsel.value if morsel else ""), True

    def _authorised(self) -> tuple[bool, bool]:
        token, by_cookie = self._presented_token()
        good = hmac.compare_digest(token.encode("utf-8", "replace"), self.app.token.encode("utf-8"))
        return good, by_cookie

    def _same_origin_post(self, by_cookie: bool) -> bool:
        origin = self.headers.get("Origin")
        site = self.headers.get("Sec-Fetch-Site")
        if origin is not None and origin.lower() not in {f"http://{h}" for h in self.app.allowed_hosts()}:
            return False
        if site is not None and site not in ("same-origin", "none"):
            return False
        # a browser always says where a POST comes from; a cookie-only POST that does not is refused
        return not (by_cookie and origin is None and site is None)

    def _guard(self) -> bool:
        if not self._host_ok():
            self._refuse(why="host not allowed")
            return False
        good, by_cookie = self._authorised()
        if not good:
            self._refuse(why="token required")
            return False
        if self.command == "POST" and not self._same_origin_post(by_cookie):
            self._refuse(why="cross-origin request")
            return False
        return True

    # -- routes ----------------------------------------------------------------------------

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        if not self._guard():
            return
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        if url.path == "/" and "token" in query:
            # Swap the URL's token for a cookie, and drop it from the address bar and history.
            cookie = f"{self.app.cookie_name}={self.app.token}; HttpOnly; SameSite=Strict; Path=/"
            self._send(HTTPStatus.SEE_OTHER, b"", "text/plain", {"Location": "/", "Set-Cookie": cookie})
        elif url.path == "/":
            from validator.web.page import render_page

            page = render_page(self.app.lang, self.app.specs()).encode("utf-8")
            self._send(HTTPStatus.OK, page, "text/html; charset=utf-8",
                       {"Content-Security-Policy": _PAGE_CSP, "X-Frame-Options": "DENY"})
        elif url.path == "/app.js":
            from validator.web.page import SCRIPT

            self._send(HTTPStatus.OK, SCRIPT.encode("utf-8"), "text/javascript; charset=utf-8")
        elif url.path.startswith("/api/job/"):
            job = self.app.jobs.get(url.path[len("/api/job/"):])
            if job is None:
                self._json(HTTPStatus.NOT_FOUND, {"key": "failed"})
            else:
                self._json(HTTPStatus.OK, job.public())
        elif url.path.startswith("/job/"):
            self._report(url.path, "download" in query)
        else:
            self._refuse(HTTPStatus.NOT_FOUND, "not found")

    def _report(self, path: str, download: bool) -> None:
        parts = path.split("/")  # ['', 'job', ID, 'report.EXT']
        job = self.app.jobs.get(parts[2]) if len(parts) == 4 else None
        ext = parts[3].rpartition(".")[2] if len(parts) == 4 and parts[3].startswith("report.") else ""
        if job is None or job.state != "done" or ext not in _OUTPUTS:
            self._refuse(HTTPStatus.NOT_FOUND, "not found")
            return
        with open(os.path.join(job.folder, f"report.{ext}"), "rb") as f:
            body = f.read()
        headers = {"Content-Security-Policy": _REPORT_CSP, "X-Frame-Options": "SAMEORIGIN"}
        if download or ext == "xlsx":
            name = ("问题清单" if job.lang == "zh" else "report") + f".{ext}"
            headers["Content-Disposition"] = f"attachment; filename=\"report.{ext}\"; filename*=UTF-8''{quote(name)}"
        self._send(HTTPStatus.OK, body, _OUTPUTS[ext], headers)

    def do_POST(self) -> None:
        if not self._guard():
            return
        url = urlsplit(self.path)
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        try:
            length = int(self.headers.get("Content-Length") or "")
        except ValueError:
            self._refuse(HTTPStatus.LENGTH_REQUIRED, "length required")
            return
        if url.path == "/api/check" and ctype == "application/json":
            if not 0 <= length <= MAX_JSON_BYTES:
                self._refuse(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "too large")
                return
            self._check(self.rfile.read(length))
        elif url.path == "/api/upload" and ctype in ("application/zip", "application/x-zip-compressed",
                                                       "application/octet-stream"):
            if not 0 <= length <= MAX_UPLOAD_BYTES:
                self.close_connection = True
                self._json(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, {"key": "too_big"})
                return
            self._upload(parse_qs(url.query), length)
        else:
            self._refuse(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported")

    def _specs_or_error(self, specs: object) -> list[str] | None:
        known = {sid for sid, _ in self.app.specs()}
        chosen = [s for s in specs if isinstance(s, str)] if isinstance(specs, list) else []
        unknown = [s for s in chosen if s not in known]
        if unknown:
            self._json(HTTPStatus.BAD_REQUEST, {"key": "unknown_spec", "detail": ", ".join(unknown)})
            return None
        return chosen

    def _check(self, raw: bytes) -> None:
        try:
            body = json.loads(raw)
            path = str(body.get("path") or "").strip()
        except (ValueError, AttributeError):
            self._json(HTTPStatus.BAD_REQUEST, {"key": "failed"})
            return
        specs = self._specs_or_error(body.get("specs"))
        if specs is None:
            return
        if not path:
            self._json(HTTPStatus.BAD_REQUEST, {"key": "empty_path"})
            return
        from validator.packsource import is_zip_package

        folder = os.path.abspath(os.path.expanduser(path))
        if not os.path.isdir(folder) and not is_zip_package(folder):
            self._json(HTTPStatus.BAD_REQUEST, {"key": "not_folder", "detail": path})
            return
        job = self.app.jobs.submit(folder, specs, _mode(body.get("mode")), self.app.lang)
        self._json(HTTPStatus.ACCEPTED, {"job": job.id})

    def _upload(self, query: dict[str, list[str]], length: int) -> None:
        """The zip is kept as it came, in a private folder, and checked in place by the worker
        (the engine's zip reader: bombs, ``../``, links... are its defects, as with `check PACK.zip`)."""
        from validator.packsource import is_zip_package

        specs = self._specs_or_error(query.get("spec", []))
        if specs is None:
            return
        temp = tempfile.mkdtemp(prefix="validator-zip-", dir=self.app.workdir)
        archive = os.path.join(temp, "upload.zip")  # its own name is only shown: it never names a file
        try:
            with open(archive, "xb") as spool:
                left = length
                while left:
                    chunk = self.rfile.read(min(left, 1024 * 1024))
                    if not chunk:
                        break
                    spool.write(chunk)
                    left -= len(chunk)
        except BaseException:  # the upload broke off: nothing of it stays
            shutil.rmtree(temp, ignore_errors=True)
            raise
        if not is_zip_package(archive):
            shutil.rmtree(temp, ignore_errors=True)
            self._json(HTTPStatus.BAD_REQUEST, {"key": "bad_zip", "detail": "not a zip file"})
            return
        mode = _mode((query.get("mode") or ["auto"])[0])
        name = os.path.basename((query.get("name") or ["upload.zip"])[0].replace("\\", "/"))[:255] or "upload.zip"
        job = self.app.jobs.submit(archive, specs, mode, self.app.lang, cleanup=temp, zip_name=name)
        self._json(HTTPStatus.ACCEPTED, {"job": job.id})


def _mode(value: object) -> str:
    return value if value in ("auto", "folder", "batch") else "auto"


def make_server(app: App, port: int = 0) -> ThreadingHTTPServer:
    """Bind 127.0.0.1:port (0: a free port); the app learns the port it got."""
    handler = type("BoundHandler", (Handler,), {"app": app})
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    app.port = server.server_address[1]
    return server
