"""Progress on stderr: a live bar on a terminal, one plain line per client otherwise, or nothing.

The bar: clients done/total, files per second, time left (from the clients' rate so far).
"""

from __future__ import annotations

import shutil
import sys
import time
from typing import TextIO

from validator.batch.task import ClientResult
from validator.model import Severity
from validator.textsafe import safe
from validator.vocab import error_text

_REDRAW = 0.1  # seconds between bar redraws


class Progress:
    def __init__(self, mode: str, stream: TextIO | None = None, lang: str = "zh"):
        """mode: ``bar`` (terminal), ``log`` (one line per client) or ``quiet``."""
        self.mode = mode
        self.stream = stream or sys.stderr
        self.lang = lang
        self.total = 0
        self.done = 0
        self.files = 0
        self.start = time.monotonic()
        self._drawn = 0.0

    @classmethod
    def for_stream(cls, quiet: bool, stream: TextIO | None = None, lang: str = "zh") -> Progress:
        stream = stream or sys.stderr
        mode = "quiet" if quiet else "bar" if stream.isatty() else "log"
        return cls(mode, stream, lang)

    def started(self, total: int) -> None:
        self.total = total
        self.start = time.monotonic()

    def advance(self, result: ClientResult) -> None:
        self.done += 1
        self.files += result.package.files
        if self.mode == "log":
            self.stream.write(self._log_line(result) + "\n")
            self.stream.flush()
        elif self.mode == "bar":
            now = time.monotonic()
            if now - self._drawn >= _REDRAW or self.done == self.total:
                self._drawn = now
                self.stream.write("\r" + self.bar_line(now) + "\x1b[K")
                self.stream.flush()

    def close(self) -> None:
        if self.mode == "bar" and self.done:
            self.stream.write("\r" + self.bar_line(time.monotonic()) + "\x1b[K\n")
            self.stream.flush()

    def bar_line(self, now: float) -> str:
        elapsed = max(now - self.start, 1e-9)
        rate = self.files / elapsed
        left = (self.total - self.done) * elapsed / self.done if self.done else 0.0
        cols = shutil.get_terminal_size((80, 20)).columns
        counts = f" {self.done}/{self.total} " + ("客户" if self.lang == "zh" else "clients")
        zh = self.lang == "zh"
        tail = f"  {rate:,.0f} " + ("文件/秒" if zh else "files/s") + ("  剩余 " if zh else "  ETA ") + _clock(left)
        bar_w = max(cols - len(counts) - len(tail) - 12, 10)
        filled = int(bar_w * self.done / self.total) if self.total else bar_w
        return f"[{'#' * filled}{'.' * (bar_w - filled)}]{counts}{tail}"

    def _log_line(self, result: ClientResult) -> str:
        p = result.package
        width = len(str(self.total))
        name, error = safe(result.name), safe(error_text(p.error or "", self.lang))
        errors = p.count(Severity.ERROR)
        if self.lang == "zh":
            unchecked = error if error.startswith("未检查") else "未检查：" + error  # no "未检查：未检查"
            state = "就绪" if p.ready else unchecked if error else f"未就绪（错误 {errors}）"
            return (
                f"[{self.done:>{width}}/{self.total}] {name}: {state}，{p.files} 个文件，{result.seconds:.2f} 秒"
            )
        unchecked = error if error.startswith("not checked") else "not checked: " + error
        state = "ready" if p.ready else unchecked if error else f"not ready ({errors} errors)"
        return f"[{self.done:>{width}}/{self.total}] {name}: {state}, {p.files} files, {result.seconds:.2f} s"


def _clock(seconds: float) -> str:
    s = int(seconds + 0.5)
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"
