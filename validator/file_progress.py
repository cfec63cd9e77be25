"""Progress of a `check` on a terminal: one line on stderr, redrawn in place, for runs long enough
to leave a clerk wondering (a folder on a slow network share, hundreds of scans).

Nothing is drawn unless stderr is a terminal, nor in the first ``DELAY`` seconds (a typical
folder is done by then), and the line is erased at the end, so reports and pipes never see it.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

from validator.textsafe import safe

DELAY = 0.5  # seconds before the first line
_REDRAW = 0.1  # seconds between redraws


class FileProgress:
    def __init__(self, stream: TextIO, lang: str, *, delay: float = DELAY) -> None:
        self.stream, self.lang, self.delay = stream, lang, delay
        self.folder = ""
        self.start = time.monotonic()
        self._drawn = 0.0
        self._shown = False

    @classmethod
    def for_terminal(cls, lang: str, stream: TextIO | None = None) -> FileProgress | None:
        stream = stream or sys.stderr
        return cls(stream, lang) if stream.isatty() else None

    def folder_started(self, folder: str) -> None:
        self.folder = folder

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.start < self.delay or (now - self._drawn < _REDRAW and done < total):
            return
        self._drawn = now
        self._shown = True
        self.stream.write("\r" + self.line(done, total) + "\x1b[K")
        self.stream.flush()

    def line(self, done: int, total: int) -> str:
        folder = safe(self.folder)
        if self.lang == "zh":
            return f"检查中 {folder}：{done}/{total} 个文件"
        return f"checking {folder}: {done}/{total} files"

    def close(self) -> None:
        if self._shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
