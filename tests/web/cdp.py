"""A small Chrome DevTools Protocol client over ``--remote-debugging-pipe`` (no extra package):
the test drives a real headless Chromium as a clerk would - load, type, click, download.

Chromium reads commands on fd 3 and writes replies and events on fd 4, each message a JSON
object ending in a NUL byte.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
         "--hide-scrollbars", "--remote-debugging-pipe"]  # fmt: skip


def chromium_or_skip() -> str:
    """The browser, or a skip - but in CI (CI=true) a missing browser fails the test."""
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    why = "chromium is not installed (Debian: apt-get install chromium; .ci/run installs it)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(why)
    pytest.skip(why)


class Browser:
    def __init__(self, profile: Path, downloads: Path) -> None:
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()

        def fds() -> None:  # put the pipe ends where Chromium looks for them
            os.dup2(to_child_r, 3)
            os.dup2(from_child_w, 4)

        self.proc = subprocess.Popen(
            [chromium_or_skip(), *FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=fds, close_fds=False,
        )
        os.close(to_child_r)
        os.close(from_child_w)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []
        self.downloads = downloads
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        self.send("Browser.setDownloadBehavior", behavior="allowAndName", downloadPath=str(downloads),
                  eventsEnabled=True)
        self.page("Page.enable")
        self.page("Runtime.enable")

    # -- protocol ------------------------------------------------------------------------

    def send(self, method: str, session: str | None = None, timeout: float = 60, **params: Any) -> dict[str, Any]:
        self._next_id += 1
        msg: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session:
            msg["sessionId"] = session
        os.write(self._to_child, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            found = None
            for reply in self._read(deadline):
                if reply.get("id") == self._next_id:
                    found = reply
                else:  # an event read together with the reply is kept too (a download's start)
                    self.events.append(reply)
            if found is not None:
                if "error" in found:
                    raise RuntimeError(f"{method}: {found['error']}")
                result: dict[str, Any] = found.get("result", {})
                return result

    def _read(self, deadline: float) -> list[dict[str, Any]]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("Chromium did not answer")
            ready, _, _ = select.select([self._from_child], [], [], left)
            if ready:
                chunk = os.read(self._from_child, 1 << 16)
                if not chunk:
                    raise RuntimeError("Chromium closed the pipe")
                self._buffer += chunk
        *messages, self._buffer = self._buffer.split(b"\0")
        return [json.loads(m) for m in messages if m]

    def page(self, method: str, **params: Any) -> dict[str, Any]:
        return self.send(method, session=self.session, **params)

    # -- what a test does ----------------------------------------------------------------

    def goto(self, url: str) -> None:
        self.page("Page.navigate", url=url)
        self.wait_for("document.readyState === 'complete' && location.href !== 'about:blank'")

    def js(self, expression: str) -> Any:
        reply = self.page("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in reply:
            raise RuntimeError(f"{expression}: {reply['exceptionDetails']}")
        return reply["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 120) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                value = self.js(expression)
            except RuntimeError:
                value = None  # the page is between documents
            if value:
                return value
            time.sleep(0.1)
        raise TimeoutError(f"never true: {expression}")

    def type_into(self, selector: str, text: str) -> None:
        self.js(f"document.querySelector({json.dumps(selector)}).focus()")
        self.page("Input.insertText", text=text)

    def set_file(self, selector: str, path: Path) -> None:
        doc = self.page("DOM.getDocument")["root"]["nodeId"]
        node = self.page("DOM.querySelector", nodeId=doc, selector=selector)["nodeId"]
        self.page("DOM.setFileInputFiles", nodeId=node, files=[str(path)])

    def wait_download(self, timeout: float = 60) -> tuple[Path, str]:
        """The first completed download (saved under its GUID: ``allowAndName``) and the file
        name the server suggested."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            done = [e for e in self.events if e.get("method") == "Browser.downloadProgress"
                    and e["params"].get("state") == "completed"]
            if done:
                guid = done[0]["params"]["guid"]
                names = [e["params"]["suggestedFilename"] for e in self.events
                         if e.get("method") == "Browser.downloadWillBegin" and e["params"]["guid"] == guid]
                return self.downloads / guid, names[0] if names else ""
            try:
                self.events.extend(self._read(time.monotonic() + 0.5))
            except TimeoutError:
                continue
        raise TimeoutError("no download completed")

    def close(self) -> None:
        with contextlib.suppress(RuntimeError, TimeoutError, OSError):
            self.send("Browser.close", timeout=10)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._to_child)
        os.close(self._from_child)
