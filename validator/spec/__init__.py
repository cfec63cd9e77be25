"""Spec files: loading (with `extends`), validation with file:line:col, the typed model.

The names below load on first use (PEP 562): importing `validator.spec.model` (the checks
do, and so does unpickling a cached spec in the pre-commit hook) must not pull in PyYAML
and the loader.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from validator.spec.loader import builtin_dir, builtin_ids, load_spec, locate
    from validator.spec.model import DocumentSpec, Spec
    from validator.spec.yamlmarks import SpecError

_HOMES = {
    "builtin_dir": "validator.spec.loader",
    "builtin_ids": "validator.spec.loader",
    "load_spec": "validator.spec.loader",
    "locate": "validator.spec.loader",
    "DocumentSpec": "validator.spec.model",
    "Spec": "validator.spec.model",
    "SpecError": "validator.spec.yamlmarks",
}

__all__ = ["DocumentSpec", "Spec", "SpecError", "builtin_dir", "builtin_ids", "load_spec", "locate"]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'validator.spec' has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)
