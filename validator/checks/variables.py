"""The client's values (client.yaml, --var): present when required, valid for their type."""

from __future__ import annotations

import os
import re
from typing import Any

from validator.checks import Context
from validator.checks.cells import CellValue, check_value
from validator.discovery import CLIENT_FILE

# client.yaml keys that configure the run rather than fill spec variables.
RESERVED_KEYS = frozenset({"spec", "specs"})


def read_client_file(root: str) -> tuple[dict[str, Any], str | None]:
    """Values from ROOT/client.yaml (absent: none); the second item is a problem text."""
    path = os.path.join(root, CLIENT_FILE)
    try:
        with open(path, "rb") as f:
            raw = f.read(1 << 20)
    except FileNotFoundError:
        return {}, None
    except OSError as exc:
        return {}, exc.strerror or str(exc)
    import yaml

    try:
        data: Any = yaml.safe_load(raw.decode("utf-8-sig"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        return {}, str(exc).replace("\n", " ")[:300]
    if data is None:
        return {}, None
    if not isinstance(data, dict):
        return {}, "not a mapping of names to values"
    values: dict[str, Any] = {}
    bad = []
    for key, value in data.items():
        if str(key) in RESERVED_KEYS:
            values[str(key)] = value if isinstance(value, list) else str(value)
        elif isinstance(value, dict | list):
            bad.append(str(key))
        elif value is not None:
            values[str(key)] = str(value).strip()
    return values, (f"nested values for: {', '.join(bad)}" if bad else None)


def check_variables(ctx: Context, problem: str | None) -> None:
    if problem:
        ctx.emit("V103", "", {"detail": problem})
    needed_by = names_needing(ctx)
    for name, var in ctx.spec.variables.items():
        if name in ctx.defaulted:
            ctx.emit("V105", "", {"name": name, "title": var.title, "value": ctx.values[name]})
        value = ctx.values.get(name)
        if value is None or value == "":
            if var.required or name in needed_by:
                params: dict[str, Any] = {"name": name, "title": var.title}
                if name in needed_by:
                    params["needed_by"] = needed_by[name]
                ctx.emit("V101", "", params)
            continue
        if var.type:
            found = check_value(var.type, CellValue(value, True, value))
            if found is not None:
                ctx.emit("V102", "", {"name": name, "title": var.title, "value": value,
                                      **{k: v for k, v in found.params.items() if k != "value"},
                                      "reason": found.params.get("reason", "type")})
                continue
        if var.pattern and not re.search(var.pattern, value):
            ctx.emit("V102", "", {"name": name, "title": var.title, "value": value, "reason": "pattern",
                                  "pattern": var.pattern})
    for name in sorted(set(ctx.values) - set(ctx.spec.variables) - RESERVED_KEYS):
        ctx.emit("V104", "", {"name": name})


def names_needing(ctx: Context) -> dict[str, list[str]]:
    """variable -> the file names (as the clerk should write them) that hold it: without
    the value those names cannot be checked, so a missing one is an error (V101)."""
    out: dict[str, list[str]] = {}
    for doc in ctx.spec.documents:
        for var in doc.pattern.variables:
            out.setdefault(var, []).append(doc.pattern.display(ctx.values))
    return out
