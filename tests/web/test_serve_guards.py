"""The server's guards, against the real `validator serve` process, with raw HTTP requests such as
another local program or a hostile web page (through the victim's browser) would send."""

from __future__ import annotations

import http.client
import json
import time
from pathlib import Path

import pytest

from tests.web.conftest import Served, copy_client, start_server, stop_server


def request(served: Served, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None,
            host: str | None = None) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", served.port, timeout=30)
    try:
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        conn.putheader("Host", host if host is not None else f"127.0.0.1:{served.port}")
        for k, v in (headers or {}).items():
            conn.putheader(k, v)
        if body or method == "POST":
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def bearer(served: Served) -> dict[str, str]:
    return {"Authorization": f"Bearer {served.token}"}


def cookie(served: Served) -> dict[str, str]:
    return {"Cookie": f"validator_token_{served.port}={served.token}"}


def check_body(folder: Path) -> bytes:
    return json.dumps({"path": str(folder), "specs": [], "mode": "auto"}).encode()


def test_first_line_is_the_address_and_only_loopback_listens(serve: Served) -> None:
    assert serve.url.startswith("http://127.0.0.1:") and serve.port > 0
    assert len(serve.token) >= 40  # 32 random bytes


@pytest.mark.parametrize("path", ["/", "/app.js", "/api/job/x", "/job/x/report.html"])
def test_no_token_no_page(serve: Served, path: str) -> None:
    assert request(serve, "GET", path)[0] == 403
    assert request(serve, "GET", path + "?token=wrong")[0] == 403
    assert request(serve, "GET", path, headers={"Authorization": "Bearer " + serve.token[:-1] + "x"})[0] == 403
    assert request(serve, "GET", path, headers={"Cookie": f"validator_token_{serve.port}=nope"})[0] == 403


def test_first_visit_swaps_the_token_for_a_strict_cookie(serve: Served) -> None:
    status, headers, _ = request(serve, "GET", "/?token=" + serve.token)
    assert status == 303 and headers["location"] == "/"
    set_cookie = headers["set-cookie"]
    assert f"validator_token_{serve.port}={serve.token}" in set_cookie
    assert "HttpOnly" in set_cookie and "SameSite=Strict" in set_cookie
    status, headers, body = request(serve, "GET", "/", headers=cookie(serve))
    assert status == 200 and b'id="check-form"' in body
    assert "script-src 'self'" in headers["content-security-policy"]


@pytest.mark.parametrize("host", ["evil.example:{port}", "127.0.0.1.nip.io:{port}", "127.0.0.1:1", ""])
def test_dns_rebinding_host_refused(serve: Served, host: str) -> None:
    status, _, body = request(serve, "GET", "/", headers=bearer(serve), host=host.format(port=serve.port))
    assert status == 403 and b"host" in body


def test_localhost_names_are_accepted(serve: Served) -> None:
    for host in (f"localhost:{serve.port}", f"127.0.0.1:{serve.port}"):
        assert request(serve, "GET", "/", headers=bearer(serve), host=host)[0] == 200


def test_cross_origin_posts_refused(serve: Served, tmp_path: Path) -> None:
    folder = copy_client("core-clean", tmp_path / "c")
    body = check_body(folder)
    json_ct = {"Content-Type": "application/json"}
    for extra in ({"Origin": "http://evil.example"}, {"Origin": "null"}, {"Sec-Fetch-Site": "cross-site"},
                  {"Origin": f"http://127.0.0.1:{serve.port + 1}"}):
        status, _, answer = request(serve, "POST", "/api/check", body, {**cookie(serve), **json_ct, **extra})
        assert status == 403 and b"cross-origin" in answer, extra
    # a cookie alone, with no word on where the POST came from: refused too
    assert request(serve, "POST", "/api/check", body, {**cookie(serve), **json_ct})[0] == 403
    # a form's content type (the only kind a cross-site form can send without a pre-flight)
    form = {"Content-Type": "application/x-www-form-urlencoded", "Origin": f"http://127.0.0.1:{serve.port}"}
    assert request(serve, "POST", "/api/check", body, {**cookie(serve), **form})[0] == 415
    # the page's own POST
    same = {**cookie(serve), **json_ct, "Origin": f"http://127.0.0.1:{serve.port}", "Sec-Fetch-Site": "same-origin"}
    status, _, answer = request(serve, "POST", "/api/check", body, same)
    assert status == 202 and json.loads(answer)["job"]


def wait_job(served: Served, job: str) -> dict:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        _, _, body = request(served, "GET", f"/api/job/{job}", headers=bearer(served))
        state = json.loads(body)
        if state["state"] in ("done", "failed"):
            return state
        time.sleep(0.2)
    raise TimeoutError(job)


def test_job_progress_and_reports(serve: Served, tmp_path: Path) -> None:
    folder = copy_client("call-center-messy", tmp_path / "c")
    status, _, body = request(serve, "POST", "/api/check", check_body(folder),
                              {**bearer(serve), "Content-Type": "application/json"})
    assert status == 202
    job = json.loads(body)["job"]
    state = wait_job(serve, job)
    assert state["state"] == "done" and state["unit"] == "files"
    assert state["total"] == state["done"] == state["summary"]["files"] > 10
    status, headers, html = request(serve, "GET", f"/job/{job}/report.html", headers=bearer(serve))
    assert status == 200 and html.startswith(b"<!DOCTYPE html>") and "content-disposition" not in headers
    status, headers, _ = request(serve, "GET", f"/job/{job}/report.html?download=1", headers=bearer(serve))
    assert "attachment" in headers["content-disposition"]
    status, headers, data = request(serve, "GET", f"/job/{job}/report.xlsx", headers=bearer(serve))
    assert status == 200 and data[:2] == b"PK" and "attachment" in headers["content-disposition"]
    for bad in (f"/job/{job}/request.json", f"/job/{job}/../{job}/report.html", f"/job/{job}/stderr.txt",
                "/job/0000000000000000/report.html"):
        assert request(serve, "GET", bad, headers=bearer(serve))[0] == 404, bad


@pytest.mark.parametrize("body,key", [({"path": ""}, "empty_path"), ({"path": "/no/such/folder"}, "not_folder"),
                                      ({"path": "/", "specs": ["nope"]}, "unknown_spec")])
def test_bad_requests_answer_with_a_reason(serve: Served, body: dict, key: str) -> None:
    status, _, answer = request(serve, "POST", "/api/check", json.dumps(body).encode(),
                                {**bearer(serve), "Content-Type": "application/json"})
    assert status == 400 and json.loads(answer)["key"] == key


def test_a_folder_without_a_spec_fails_with_a_reason(serve: Served, tmp_path: Path) -> None:
    folder = tmp_path / "plain"
    folder.mkdir()
    (folder / "a.pdf").write_bytes(b"%PDF-1.4\n")
    _, _, body = request(serve, "POST", "/api/check", check_body(folder),
                         {**bearer(serve), "Content-Type": "application/json"})
    state = wait_job(serve, json.loads(body)["job"])
    assert state["state"] == "failed" and state["key"] == "no_spec"


def test_stopping_removes_the_work_folder(tmp_path: Path) -> None:
    served = start_server(tmp_path / "t", "en")
    folder = copy_client("core-clean", tmp_path / "c")
    _, _, body = request(served, "POST", "/api/check", check_body(folder),
                         {**bearer(served), "Content-Type": "application/json"})
    wait_job(served, json.loads(body)["job"])
    assert list(served.tmp.iterdir())  # the work folder with the job's reports
    stop_server(served)
    assert list(served.tmp.iterdir()) == []


def test_busy_port_is_a_usage_error(serve: Served) -> None:
    from tests.conftest import run_cli

    proc = run_cli("serve", "--no-browser", "--port", str(serve.port), "--lang", "en")
    assert proc.returncode == 2 and "cannot listen" in proc.stderr and "Traceback" not in proc.stderr


def test_an_oversized_upload_is_refused_before_reading_it(serve: Served) -> None:
    from validator.web.server import MAX_UPLOAD_BYTES

    conn = http.client.HTTPConnection("127.0.0.1", serve.port, timeout=30)
    try:
        conn.putrequest("POST", "/api/upload")
        for k, v in {**bearer(serve), "Content-Type": "application/zip",
                     "Content-Length": str(MAX_UPLOAD_BYTES + 1)}.items():
            conn.putheader(k, v)
        conn.endheaders()  # no body sent: the answer must not wait for it
        resp = conn.getresponse()
        assert resp.status == 413 and json.loads(resp.read())["key"] == "too_big"
    finally:
        conn.close()


def test_the_browser_is_opened_without_the_token_on_its_command_line(tmp_path: Path) -> None:
    """$BROWSER is what Python's webbrowser runs: a script here records what it was given."""
    import os
    import stat
    import subprocess
    import sys
    from urllib.parse import unquote

    seen = tmp_path / "argv.txt"
    fake = tmp_path / "fake_browser.py"
    fake.write_text("import sys, pathlib\n"
                    f"pathlib.Path({str(seen)!r}).write_text(sys.argv[1], encoding='utf-8')\n", encoding="utf-8")
    server_tmp = tmp_path / "t"
    server_tmp.mkdir()
    env = {**os.environ, "BROWSER": f"{sys.executable} {fake} %s", "TMPDIR": str(server_tmp), "DISPLAY": ""}
    proc = subprocess.Popen([sys.executable, "-m", "validator", "serve", "--lang", "en"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, env=env)
    served = Served("", proc, server_tmp)
    try:
        assert proc.stdout is not None
        served.url = proc.stdout.readline().strip()
        deadline = time.monotonic() + 30
        while not seen.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        opened = seen.read_text(encoding="utf-8")
        assert opened.startswith("file://") and served.token not in opened
        redirect = Path(unquote(opened[len("file://"):]))
        assert served.url.replace("&", "&amp;") in redirect.read_text(encoding="utf-8")
        assert stat.S_IMODE(redirect.stat().st_mode) == 0o600
    finally:
        stop_server(served)
