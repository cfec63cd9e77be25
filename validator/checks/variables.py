"""The client's values (client.yaml, --var): present when required, valid for their type."""

from __future__ import annotations

from typing import Any

from validator.checks import Context
from validator.checks.cells import CellValue, check_value
from validator.client_file import RESERVED_KEYS, problem_defects
from validator.userregex import compile_user_regex


def check_variables(ctx: Context, problem: str | None) -> None:
    if problem:
        for code, found_params in problem_defects(problem):
            ctx.emit(code, "", found_params)
    needed_by = names_needing(ctx)
    for name, var in ctx.spec.variables.items():
        if name in ctx.defaulted:
            ctx.emit("V106", "", {"name": name, "title": var.title, "value": ctx.values[name]})
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
        if var.pattern and not compile_user_regex(var.pattern).search(value):
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
