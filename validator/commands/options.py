"""Options that several commands share (kept out of ``validator.cli``, which imports the commands)."""

from __future__ import annotations

from typing import Any

import click


def file_timeout_option(f: Any) -> Any:
    from validator.limits import DEFAULT_FILE_TIMEOUT

    return click.option(
        "--file-timeout", type=click.FloatRange(min=0, min_open=True), default=DEFAULT_FILE_TIMEOUT,
        show_default=True, metavar="SECONDS",
        help="Seconds one file's PDF or spreadsheet may take to parse, in a separate process that is "
             "stopped when the time is up (the file is then reported as unreadable).")(f)
