"""Output formats. Each module renders a `Report` alone: `render(report) -> str | bytes`.

Formats are looked up by name and imported only when asked for.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # the model is not needed to name formats (`--help` lists them)
    from validator.model import Report

# name -> (module, binary?)
FORMATS: dict[str, tuple[str, bool]] = {
    "text": ("validator.formats.text", False),
    "json": ("validator.formats.json", False),
    "html": ("validator.formats.html", False),
    "xlsx": ("validator.formats.xlsx", True),
    "csv": ("validator.formats.csv", False),
    "sarif": ("validator.formats.sarif", False),
    "junit": ("validator.formats.junit", False),
    "markdown": ("validator.formats.markdown", False),
}


class Renderer(Protocol):
    def __call__(self, report: Report) -> str | bytes: ...


def renderer(name: str) -> Renderer:
    module, _ = FORMATS[name]
    render: Renderer = importlib.import_module(module).render
    return render


def is_binary(name: str) -> bool:
    return FORMATS[name][1]
