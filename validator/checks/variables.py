"""The client's values (client.yaml, --var): present when required, valid for their type."""

from __future__ import annotations

from validator.checks import Context
from validator.checks.cells import CellValue, check_value
from validator.client_file import RESERVED_KEYS, problem_defects
from validator.userregex import compile_user_regex


def check_variables(ctx: Context, problem: str | None) -> None:
    if problem:
        for code, params in problem_defects(problem):
            ctx.emit(code, "", params)
    for name, var in ctx.spec.variables.items():
        value = ctx.values.get(name)
        if value is None or value == "":
            if var.required:
                ctx.emit("V101", "", {"name": name, "title": var.title})
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
