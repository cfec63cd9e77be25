"""Cross-field rules from the spec (`rules:`): one small vocabulary, evaluated here.

A rule picks the rows it applies to with `when` (all rows without it) and asserts one
thing about them::

    rules:
      - id: provider-uscc-when-leased             # 机房性质 = 租用 -> the provider's code is required
        title: 租用机房须填写机房提供方统一社会信用代码
        when: {column: 机房性质, equals: 租用}
        require: [机房提供方统一社会信用代码]       # C101 per empty cell
      - id: insured-at-company                     # at least 3 staff insured by the company itself
        when: {column: 社保缴纳单位, equals: "{company}"}
        count: {min: 3}                            # C103 / C104; a bound may be "{variable}"
      - id: unit-is-company
        expect: {column: 社保缴纳单位, equals: "{company}"}   # C102 per row that breaks it
      - id: ranges
        ip_ranges: {start: 起始IP, end: 终止IP}    # C105 family, C106 reversed, C107 overlap

Package rules (top-level `rules:`) test client values and documents: `expect` on variables,
`require_documents` (C108) when `when` holds.

Conditions: a subject (`column:` a cell of the row, `variable:` a client value) with operators
that must all hold — equals, not_equals, in, not_in, matches (re.search), filled, min, max — or
`all` / `any` / `not` of conditions. Operands may hold `{variable}` placeholders.

Three-valued logic: on an empty cell every operator but `filled` is *undecided*; an undecided
`when` does not select the row and an undecided `expect` does not fail it (presence is the
job of `required:`/`require:`, so one empty cell gives one defect, not several).

Skipping, by design:
- a rule that needs a client variable (as `variable:`, a `{placeholder}` or a bound) that the
  run does not have is skipped: V101 already reports a *required* variable that is missing,
  and an optional one means "not applicable to this client";
- a sheet rule that names a column missing from the header is skipped: X103 reports it.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from validator.checks import Context
from validator.checks.cell_defects import CellDefects, key_column
from validator.checks.cells import as_text, is_empty, number_of
from validator.model import Location, Severity
from validator.spec.model import ColumnSpec, Condition, RuleSpec, SheetSpec
from validator.table import SheetData, col_letter, display
from validator.userregex import compile_user_regex

_VAR = re.compile(r"\{\s*([A-Za-z_][A-Za-z0-9_\-]*)\s*\}")
_TRUE = frozenset({"是", "y", "yes", "true", "1"})
_FALSE = frozenset({"否", "n", "no", "false", "0"})

Lookup = Callable[[Condition], Any]  # the value a leaf condition tests (cell value or client value)


# --- client values ---------------------------------------------------------------------


@dataclass
class Env:
    """The client's values as rules see them, and caches."""

    values: Mapping[str, str]
    titles: Mapping[str, str]  # variable name -> title, for messages
    _regex: dict[str, re.Pattern[str]] = field(default_factory=dict)
    _operands: dict[str, tuple[str, float | None]] = field(default_factory=dict)
    _norms: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, ctx: Context) -> Env:
        return cls(ctx.values, {n: v.title for n, v in ctx.spec.variables.items()})

    def has(self, name: str) -> bool:
        value = self.values.get(name)
        return value is not None and str(value).strip() != ""

    def subst(self, text: str, escape: bool = False) -> str:
        def fill(m: re.Match[str]) -> str:
            value = str(self.values.get(m.group(1), "")).strip()
            return re.escape(value) if escape else value

        return _VAR.sub(fill, text)

    def number(self, operand: Any) -> float | None:
        if isinstance(operand, str):
            return number_of(self.subst(operand))
        return number_of(operand)

    def regex(self, operand: str) -> re.Pattern[str]:
        rx = self._regex.get(operand)
        if rx is None:
            rx = self._regex[operand] = compile_user_regex(self.subst(operand, escape=True))
        return rx

    def operand(self, text: str) -> tuple[str, float | None]:
        """A text operand with the client's values filled in: (normalised, as a number)."""
        found = self._operands.get(text)
        if found is None:
            filled = self.subst(text)
            found = self._operands[text] = (_norm(filled), number_of(filled))
        return found

    def norm(self, text: str) -> str:
        found = self._norms.get(text)
        if found is None:
            if len(self._norms) > 50_000:  # bounded: cell texts of a huge sheet
                self._norms.clear()
            found = self._norms[text] = _norm(text)
        return found

    def ready(self, rule: RuleSpec) -> bool:
        """Every variable the rule needs has a value (numeric where a bound needs a number)."""
        if not all(self.has(name) for name in needed_variables(rule)):
            return False
        return all(self.number(b) is not None for b in (rule.count_min, rule.count_max) if b is not None)


def needed_variables(rule: RuleSpec) -> set[str]:
    names: set[str] = set()
    for cond in (rule.when, rule.expect):
        for c in cond.walk() if cond else ():
            if c.variable:
                names.add(c.variable)
            for _, operand in c.ops:
                for item in operand if isinstance(operand, tuple) else (operand,):
                    if isinstance(item, str):
                        names.update(_VAR.findall(item))
    for bound in (rule.count_min, rule.count_max):
        if isinstance(bound, str):
            names.update(_VAR.findall(bound))
    return names


# --- evaluation (three-valued) -----------------------------------------------------------


def evaluate(cond: Condition, lookup: Lookup, env: Env) -> bool | None:
    if cond.all:
        results = [evaluate(c, lookup, env) for c in cond.all]
        return False if False in results else None if None in results else True
    if cond.any:
        results = [evaluate(c, lookup, env) for c in cond.any]
        return True if True in results else None if None in results else False
    if cond.negate is not None:
        r = evaluate(cond.negate, lookup, env)
        return None if r is None else not r
    value = lookup(cond)
    result: bool | None = True
    for op, operand in cond.ops:
        r = _operator(op, operand, value, env)
        if r is False:
            return False
        if r is None:
            result = None
    return result


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else as_text(value)


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().casefold()


def _same(value: Any, operand: Any, env: Env) -> bool:
    if isinstance(operand, bool):
        if isinstance(value, bool):
            return value is operand
        word = _norm(_text(value))
        return word in (_TRUE if operand else _FALSE)
    if isinstance(operand, int | float):
        num = number_of(value)
        return num is not None and num == float(operand)
    expected, as_number = env.operand(str(operand))
    if isinstance(value, int | float) and not isinstance(value, bool) and as_number is not None:
        return float(value) == as_number
    return env.norm(_text(value)) == expected


def _operator(op: str, operand: Any, value: Any, env: Env) -> bool | None:
    empty = is_empty(value)
    if op == "filled":
        return (not empty) == bool(operand)
    if empty:
        return None
    if op == "equals":
        return _same(value, operand, env)
    if op == "not_equals":
        return not _same(value, operand, env)
    if op == "in":
        return any(_same(value, o, env) for o in operand)
    if op == "not_in":
        return not any(_same(value, o, env) for o in operand)
    if op == "matches":
        return env.regex(str(operand)).search(_text(value)) is not None
    if op in ("min", "max"):
        num, bound = number_of(value), env.number(operand)
        if num is None or bound is None:
            return None
        return num >= bound if op == "min" else num <= bound
    raise ValueError(f"unknown operator {op}")  # the schema allows no other


# --- descriptions for messages -------------------------------------------------------------


def describe(cond: Condition, env: Env, lang: str) -> str:
    """The condition in words, with the client's values filled in."""
    zh = lang == "zh"
    if cond.all or cond.any:
        parts = [_grouped(c, env, lang) for c in (cond.all or cond.any)]
        word = (" 且 " if zh else " and ") if cond.all else (" 或 " if zh else " or ")
        return word.join(parts)
    if cond.negate is not None:
        inner = describe(cond.negate, env, lang)
        return f"不满足（{inner}）" if zh else f"not ({inner})"
    subject = f"“{cond.column}”" if cond.column else f"“{env.titles.get(cond.variable or '', cond.variable)}”"
    parts = [_describe_op(subject, op, operand, env, zh) for op, operand in cond.ops]
    return (" 且 " if zh else " and ").join(parts)


def _grouped(cond: Condition, env: Env, lang: str) -> str:
    text = describe(cond, env, lang)
    return f"（{text}）" if lang == "zh" and (cond.all or cond.any) else f"({text})" if cond.all or cond.any else text


def _show(operand: Any, env: Env, zh: bool) -> str:
    if isinstance(operand, bool):
        return ("是" if operand else "否") if zh else ("true" if operand else "false")
    if isinstance(operand, float) and operand.is_integer():
        return str(int(operand))
    return env.subst(str(operand))


def _describe_op(subject: str, op: str, operand: Any, env: Env, zh: bool) -> str:
    if op == "filled":
        if zh:
            return f"{subject}已填写" if operand else f"{subject}为空"
        return f"{subject} is filled" if operand else f"{subject} is empty"
    if op in ("in", "not_in"):
        items = ("、" if zh else ", ").join(_show(o, env, zh) for o in operand)
        if zh:
            return f"{subject}为 {items} 之一" if op == "in" else f"{subject}不为 {items} 中的任何一个"
        return f"{subject} is one of {items}" if op == "in" else f"{subject} is none of {items}"
    if op == "matches":
        pattern = env.subst(str(operand))
        return f"{subject}符合 /{pattern}/" if zh else f"{subject} matches /{pattern}/"
    symbol = {"equals": "=", "not_equals": "≠", "min": "≥", "max": "≤"}[op]
    return f"{subject} {symbol} {_show(operand, env, zh)}"


# --- running rules -------------------------------------------------------------------------


def _rule_params(rule: RuleSpec) -> dict[str, Any]:
    title = rule.title or rule.id
    return {"rule": rule.id, "rule_title": title, "rule_title_en": rule.title_en or title}


def _severity(rule: RuleSpec) -> Severity | None:
    return Severity(rule.severity) if rule.severity else None


@dataclass
class _Sheet:
    """One sheet's data as rules see it: columns, addressed by data row index (0-based)."""

    ctx: Context
    rel: str
    doc_id: str
    data: SheetData
    index: dict[str, int]  # header key of a spec column -> actual column index
    env: Env
    out: CellDefects
    _named: dict[str, int | None] = field(default_factory=dict)  # column as a rule names it -> index

    @property
    def sheet(self) -> str:
        return self.data.sheet

    def idx(self, column: str) -> int | None:
        try:
            return self._named[column]
        except KeyError:
            found = self._named[column] = self.index.get(_key(column))
            return found

    def value(self, i: int, column: str) -> Any:
        return self.data.value(i, self.idx(column))

    def display(self, i: int, column: str) -> str:
        value = self.value(i, column)
        return "" if is_empty(value) else display(value)

    def where(self, i: int, column: str) -> Location:
        row = self.data.row_numbers[i]
        letter = col_letter(self.idx(column) or 0)
        return Location(sheet=self.sheet, row=row, column=column, cell=f"{letter}{row}")

    def emit(self, code: str, rule: RuleSpec, params: dict[str, Any], location: Location) -> None:
        self.ctx.emit(code, self.rel, {**_rule_params(rule), **params}, document=self.doc_id, location=location,
                      severity=_severity(rule))

    def emit_rows(self, code: str, rule: RuleSpec, column: str, rows: Sequence[int],
                  params: Mapping[str, Any] | Callable[[int], Mapping[str, Any]]) -> None:
        """One defect for these rows of ``column`` (grouped, with row context)."""
        base = _rule_params(rule)
        if callable(params):
            per_row = params

            def merged(i: int) -> Mapping[str, Any]:
                return {**base, **per_row(i)}

            self.out.emit(code, column, self.idx(column), rows, merged, severity=_severity(rule))
        else:
            self.out.emit(code, column, self.idx(column), rows, {**base, **params}, severity=_severity(rule))


def _key(column: str) -> str:
    from validator.checks.sheet import header_key

    return header_key(column)


def check_sheet_rules(
    ctx: Context,
    rel: str,
    doc_id: str,
    spec: SheetSpec,
    data: SheetData,
    mapping: Mapping[int, ColumnSpec],
) -> None:
    """Run a sheet's rules over its data rows; `mapping` is actual column index -> column spec."""
    if not spec.rules:
        return
    index = {_key(col.name): idx for idx, col in mapping.items()}
    sheet = _Sheet(ctx, rel, doc_id, data, index, Env.of(ctx), CellDefects(ctx, rel, doc_id, data, key_column(mapping)))
    for rule in spec.rules:
        if not sheet.env.ready(rule) or any(sheet.idx(c) is None for c in rule.columns()):
            continue
        _RUNNERS[rule.kind](sheet, rule, _selected(sheet, rule))


def _rows_where(sheet: _Sheet, cond: Condition, wanted: bool | None) -> list[int]:
    """The data rows (ascending) for which ``cond`` evaluates to ``wanted`` (True, False or
    undecided).

    A condition's result depends only on the values of its columns (client values are fixed
    for the run), so it is evaluated once per distinct combination of those values: a unit
    column or a yes/no column is a handful of evaluations for thousands of rows.
    """
    columns = tuple(dict.fromkeys(c.column for c in cond.walk() if c.column))
    idxs = [sheet.idx(c) for c in columns]
    env = sheet.env
    position = {c: n for n, c in enumerate(columns)}

    def judge(row_values: tuple[Any, ...]) -> bool | None:
        def lookup(c: Condition) -> Any:
            if c.column:
                return row_values[position[c.column]]
            return env.values.get(c.variable or "")

        return evaluate(cond, lookup, env)

    data = sheet.data
    if len(idxs) == 1:  # the common case: one column, judged per distinct value
        j = idxs[0]
        keys = {k for k, v in data.distinct(j).items() if judge((v,)) is wanted}
        rows = data.rows_with(j, keys)
        if judge((None,)) is wanted and (empty := data.empty_rows(j)):
            rows = sorted(rows + empty)
        return rows
    memo: dict[tuple[Any, ...], bool | None] = {}
    out = []
    cols = [data.column(j) for j in idxs] or [(None,) * len(data)]
    for i, row in enumerate(zip(*cols, strict=True)):
        k = tuple([(v.__class__, v) for v in row])  # 1, 1.0 and True: equal keys, not equal cells
        found = memo.get(k, _UNSEEN)
        if found is _UNSEEN:
            found = memo[k] = judge(row)
        if found is wanted:
            out.append(i)
    return out


_UNSEEN = object()


def _selected(sheet: _Sheet, rule: RuleSpec) -> list[int]:
    if rule.when is None:
        return list(range(len(sheet.data)))
    return _rows_where(sheet, rule.when, True)


def _when_params(rule: RuleSpec, env: Env) -> dict[str, str]:
    if rule.when is None:
        return {}
    return {"when_zh": describe(rule.when, env, "zh"), "when_en": describe(rule.when, env, "en")}


def _run_require(sheet: _Sheet, rule: RuleSpec, rows: list[int]) -> None:
    params = _when_params(rule, sheet.env)
    for column in rule.require:
        col = sheet.data.column(sheet.idx(column))
        empty = [i for i in rows if is_empty(col[i])]
        sheet.emit_rows("C101", rule, column, empty, {"column": column, **params})


def _run_expect(sheet: _Sheet, rule: RuleSpec, rows: list[int]) -> None:
    assert rule.expect is not None
    columns = list(dict.fromkeys(c.column for c in rule.expect.walk() if c.column))
    params = _expect_params(rule, sheet.env)
    failing = _rows_where(sheet, rule.expect, False)
    if rule.when is not None:
        chosen = set(rows)
        failing = [i for i in failing if i in chosen]
    if not failing:
        return

    def found(i: int) -> dict[str, Any]:
        if len(columns) == 1:
            return {**params, "found": sheet.display(i, columns[0])}
        return {**params, "found": ", ".join(f"{c} = {sheet.display(i, c) or '∅'}" for c in columns)}

    if columns:
        sheet.emit_rows("C102", rule, columns[0], failing, found)
    else:  # a rule on client values only, in a sheet's rules: one defect per row, as before
        for i in failing:
            sheet.emit("C102", rule, found(i), Location(sheet=sheet.sheet, row=sheet.data.row_numbers[i]))


def _expect_params(rule: RuleSpec, env: Env, rows: bool = True) -> dict[str, str]:
    assert rule.expect is not None
    out = {"expect_zh": describe(rule.expect, env, "zh"), "expect_en": describe(rule.expect, env, "en")}
    if rule.when is not None:
        zh, en = describe(rule.when, env, "zh"), describe(rule.when, env, "en")
        out["when_part_zh"] = f"（适用于 {zh} 的行）" if rows else f"（当 {zh} 时）"
        out["when_part_en"] = f" (for rows where {en})" if rows else f" (when {en})"
    return out


def _run_count(data: _Sheet, rule: RuleSpec, rows: list[int]) -> None:
    found = len(rows)
    env = data.env
    if rule.when is None:
        params = {"condition_zh": "数据", "condition_en": "data row(s)"}
    else:
        params = {"condition_zh": f"满足 {describe(rule.when, env, 'zh')} 的数据",
                  "condition_en": f"row(s) where {describe(rule.when, env, 'en')}"}
    columns = [c.column for c in rule.when.walk() if c.column] if rule.when else []
    location = Location(sheet=data.sheet, column=columns[0] if columns else None)
    for code, bound, key, broken in (("C103", rule.count_min, "min", lambda n, b: n < b),
                                     ("C104", rule.count_max, "max", lambda n, b: n > b)):
        if bound is None:
            continue
        limit = env.number(bound)
        if limit is None or not broken(found, limit):
            continue
        extra = dict(params)
        variables = _VAR.findall(bound) if isinstance(bound, str) else []
        if variables:
            title = env.titles.get(variables[0], variables[0])
            extra["source_zh"] = f"（“{title}” {variables[0]}）"
            extra["source_en"] = f" (“{title}” {variables[0]})"
        data.emit(code, rule, {"found": found, key: _fmt(limit), **extra}, location)


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


@dataclass(frozen=True)
class _Range:
    row: int
    first: int
    last: int
    version: int
    text: str


def _run_ip_ranges(data: _Sheet, rule: RuleSpec, rows: list[int]) -> None:
    assert rule.ip_ranges is not None
    start_col, end_col = rule.ip_ranges
    ranges: list[_Range] = []
    row_numbers = data.data.row_numbers
    index_of: dict[int, int] = {}
    for i in rows:
        start, end = data.value(i, start_col), data.value(i, end_col)
        start_text = "" if is_empty(start) else _text(start)
        end_text = "" if is_empty(end) else _text(end)
        parsed = _parse_range(start_text, end_text)
        if parsed is None:
            continue  # empty or not an address: `required` / `type: ip` report it
        first, last = parsed
        where = data.where(i, start_col)
        shown = {"start": start_text, "end": end_text or start_text}
        if first.version != last.version:
            data.emit("C105", rule, shown, where)
        elif int(first) > int(last):
            data.emit("C106", rule, shown, where)
        else:
            text = f"{first}-{last}" if first != last else str(first)
            index_of[row_numbers[i]] = i
            ranges.append(_Range(row_numbers[i], int(first), int(last), first.version, text))
    reported: set[int] = set()
    for version in (4, 6):
        family = sorted((r for r in ranges if r.version == version), key=lambda r: (r.first, r.last, r.row))
        reach: _Range | None = None
        for r in family:
            if reach is not None and r.first <= reach.last:
                later, other = (r, reach) if r.row > reach.row else (reach, r)
                if later.row not in reported:
                    reported.add(later.row)
                    data.emit("C107", rule, {"range": later.text, "other_row": other.row, "other_range": other.text},
                              data.where(index_of[later.row], start_col))
            if reach is None or r.last > reach.last:
                reach = r


Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def _parse_range(start: str, end: str) -> tuple[Address, Address] | None:
    """(first, last) of a row's range; the start may be a CIDR block (then the end is optional)."""
    if not start:
        return None
    try:
        first: Address = ipaddress.ip_address(start)
        block_last: Address | None = None
    except ValueError:
        try:
            net = ipaddress.ip_network(start, strict=False)
        except ValueError:
            return None
        first, block_last = net.network_address, net.broadcast_address
    if not end:
        return (first, block_last or first)
    try:
        return (first, ipaddress.ip_address(end))
    except ValueError:
        return None


_RUNNERS: dict[str, Callable[[_Sheet, RuleSpec, list[int]], None]] = {
    "require": _run_require,
    "expect": _run_expect,
    "count": _run_count,
    "ip_ranges": _run_ip_ranges,
}


# --- package rules -------------------------------------------------------------------------


def check_package_rules(ctx: Context, assigned: Mapping[str, Sequence[str]]) -> None:
    """Top-level rules: `expect` on client values, `require_documents` when `when` holds."""
    if not ctx.spec.rules:
        return
    env = Env.of(ctx)

    def lookup(cond: Condition) -> Any:
        return env.values.get(cond.variable or "")

    for rule in ctx.spec.rules:
        if not env.ready(rule):
            continue
        if rule.when is not None and evaluate(rule.when, lookup, env) is not True:
            continue
        if rule.kind == "expect" and rule.expect is not None:
            if evaluate(rule.expect, lookup, env) is False:
                names = dict.fromkeys(c.variable for c in rule.expect.walk() if c.variable)
                found = ", ".join(f"{n} = {env.values.get(n or '', '')}" for n in names)
                ctx.emit("C102", "", {**_rule_params(rule), **_expect_params(rule, env, rows=False), "found": found},
                         severity=_severity(rule))
        elif rule.kind == "require_documents":
            for doc_id in rule.documents:
                doc = ctx.spec.document(doc_id)
                if doc is None or assigned.get(doc_id) or (doc.required and doc.count.min > 0):
                    continue  # present, or D101 already reports it missing
                ctx.emit("C108", "", {**_rule_params(rule), **_when_params(rule, env), "title": doc.title,
                                      "pattern": doc.pattern.display(dict(ctx.values))},
                         document=doc_id, severity=_severity(rule))
