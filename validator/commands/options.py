"""Options that several commands share (kept out of ``validator.cli``, which imports the commands)."""

from __future__ import annotations

import math
from typing import Any

import click

# A day: beyond it a "timeout" is no bound at all, and poll()'s milliseconds overflow.
MAX_FILE_TIMEOUT = 86400.0


class _Seconds(click.FloatRange):
    """A positive, finite number of seconds: FloatRange alone lets nan through (nan < 0 is false)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        seconds = super().convert(value, param, ctx)
        if not math.isfinite(seconds):
            self.fail(f"{value!r} is not a finite number of seconds.", param, ctx)
        return seconds


def file_timeout_option(f: Any) -> Any:
    from validator.limits import DEFAULT_FILE_TIMEOUT

    return click.option(
        "--file-timeout", type=_Seconds(min=0, min_open=True, max=MAX_FILE_TIMEOUT), default=DEFAULT_FILE_TIMEOUT,
        show_default=True, metavar="SECONDS",
        help="Seconds one file's PDF or spreadsheet may take to parse, in a separate process that is "
             "stopped when the time is up (the file is then reported as unreadable).")(f)
