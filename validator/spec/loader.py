"""Find, read, merge (`extends`) and validate spec files into a `Spec`.

Every problem is reported with file:line:col; nothing here raises anything but
`SpecError` for a bad spec.
"""

from __future__ import annotations

import difflib
import re
import stat
import unicodedata
from pathlib import Path
from typing import Any

from validator.spec import schema
from validator.spec.model import (
    ColumnSpec,
    Condition,
    CountRange,
    DocumentSpec,
    NamePattern,
    NamingRules,
    PdfSpec,
    RuleKind,
    RuleSpec,
    SheetSpec,
    Spec,
    VariableSpec,
    loose_literal,
    parse_size,
    render_pieces,
)
from validator.spec.yamlmarks import Mark, MDict, MList, SpecError, load_marked

SPEC_SUFFIXES = (".yaml", ".yml")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_KEYWORD = re.compile(r"[\u3400-\u9fffA-Za-z]{2,}")


def builtin_dir() -> Path:
    """The folder of built-in specs: package data when installed, ./specs in a checkout."""
    # validator.specs has no __init__.py (it is specs/ mapped by pyproject): a namespace package,
    # whose importlib.resources.files() is a MultiplexedPath that str() cannot turn into a path.
    import importlib.util

    try:
        found = importlib.util.find_spec("validator.specs")
    except (ImportError, ValueError):
        found = None
    for location in (found.submodule_search_locations or []) if found else []:
        path = Path(location)
        if path.is_dir() and any(path.glob("*.yaml")):
            return path
    return Path(__file__).resolve().parents[2] / "specs"


def builtin_ids() -> list[str]:
    return sorted(p.stem for p in builtin_dir().glob("*.yaml"))


def locate(ref: str, base: Path | None = None) -> Path:
    """A spec reference is a path (has a suffix or a slash) or a built-in id."""
    looks_like_path = ref.endswith(SPEC_SUFFIXES) or "/" in ref or "\\" in ref
    if looks_like_path:
        path = Path(ref).expanduser()
        if not path.is_absolute() and base is not None:
            path = base / path
        kind = _kind(path)
        if kind != "file":
            what = "not a regular file" if kind == "other" else "spec file not found"
            raise SpecError([(None, f"{what}: {_shown(str(path))}")])
        return path
    candidate = builtin_dir() / f"{ref}.yaml"
    if _kind(candidate) == "file":
        return candidate
    near = difflib.get_close_matches(ref, builtin_ids(), 3) if len(ref) <= _SHOWN else []
    tip = f" (did you mean {', '.join(near)}?)" if near else ""
    raise SpecError([(None, f"unknown spec '{_shown(ref)}'{tip}; built-in specs: {', '.join(builtin_ids())}")])


_SHOWN = 200  # characters of a spec reference quoted in a message


def _shown(ref: str) -> str:
    """A reference as quoted in a message: a 500,000-character `spec:` is not echoed whole."""
    return ref if len(ref) <= _SHOWN else f"{ref[:_SHOWN]}…"


def _kind(path: Path) -> str:
    """"file", "other" (exists, not a regular file) or "missing".  A name the system refuses
    (longer than NAME_MAX, say: pathlib re-raises ENAMETOOLONG) is missing, not a traceback."""
    try:
        st = path.stat()
    except (OSError, ValueError):
        return "missing"
    return "file" if stat.S_ISREG(st.st_mode) else "other"


def load_spec(ref: str, base: Path | None = None) -> Spec:
    path = locate(ref, base)
    merged, chain = _load_chain(path, [], getattr(ref, "roots", None))
    problems: list[tuple[Mark | None, str]] = []
    schema.spec.check(merged, merged.mark, "", problems)
    problems.extend(_semantic_problems(merged))
    if problems:
        raise SpecError(sorted(_unique(problems), key=_order))
    return _build(merged, path, tuple(chain))


def _order(problem: tuple[Mark | None, str]) -> tuple[str, int, int]:
    mark = problem[0]
    return (mark.file, mark.line, mark.column) if mark else ("", 0, 0)


def _unique(problems: list[tuple[Mark | None, str]]) -> list[tuple[Mark | None, str]]:
    seen: dict[tuple[Mark | None, str], None] = {}
    for p in problems:
        seen.setdefault(p, None)
    return list(seen)


MAX_SPEC_BYTES = 4 << 20  # the largest built-in spec is ~20 KB
MAX_EXTENDS = 32  # files in one `extends` chain


def _read(path: Path) -> Any:
    from validator.safeio import UnsafeFile, describe, read_regular

    try:
        text = read_regular(path, MAX_SPEC_BYTES, follow=True).decode("utf-8-sig")
    except UnsafeFile as exc:
        raise SpecError([(None, f"cannot read spec {path}: {describe(exc, MAX_SPEC_BYTES)}")]) from None
    except UnicodeDecodeError as exc:
        raise SpecError([(None, f"cannot read spec {path}: not UTF-8 text (byte {exc.start})")]) from None
    return load_marked(text, str(path))


def _load_chain(path: Path, seen: list[Path], roots: tuple[str, ...] | None = None) -> tuple[Any, list[str]]:
    """The spec at `path` merged over its `extends` ancestors, and the ancestors' ids
    (nearest first). Walked in a loop: a chain longer than MAX_EXTENDS is a spec error.
    With `roots` (a spec a client's file named), a parent file outside them is not read."""
    files: list[tuple[MDict, str]] = []  # (data, the reference that named it), child first
    ref_name = ""
    seen = list(seen)
    current: Path | None = path
    while current is not None:
        resolved = current.resolve()
        if resolved in seen:
            cycle = " -> ".join(str(p) for p in [*seen, resolved])
            raise SpecError([(None, f"extends forms a cycle: {cycle}")])
        if len(seen) >= MAX_EXTENDS:
            shown = " -> ".join(str(p) for p in [*seen[:3], "…", *seen[-2:]])
            raise SpecError([(None, f"extends chain longer than {MAX_EXTENDS} files: {shown}")])
        seen.append(resolved)
        data = _read(current)
        if not isinstance(data, MDict):
            raise SpecError([(Mark(str(current), 1, 1), "a spec must be a mapping of keys (id, title, documents…)")])
        files.append((data, ref_name))
        parent_ref = data.get("extends")
        if parent_ref is None:
            break
        if not isinstance(parent_ref, str):
            raise SpecError([(data.mark_of("extends"), "extends: expected a spec id or a relative path")])
        try:
            current = locate(parent_ref, current.parent)
        except SpecError as exc:
            raise SpecError([(data.mark_of("extends"), msg) for _, msg in exc.problems]) from None
        if roots is not None and current.parent != builtin_dir() and not _inside(current, roots):
            raise SpecError([(data.mark_of("extends"), f"extends: {parent_ref} lies outside the client's folder "
                                                       "(or the batch root); it was not read")])
        ref_name = parent_ref
    merged, _ = files[-1]
    chain: list[str] = []
    for i in range(len(files) - 1, 0, -1):
        parent, parent_ref = files[i]
        parent_id = parent.get("id")
        chain.insert(0, str(parent_id or parent_ref))
        merged = merge(merged, files[i - 1][0])
    return merged, chain


def _inside(path: Path, roots: tuple[str, ...]) -> bool:
    from validator.client_file import inside

    return inside(str(path), roots)


def _copy_marks(dst: MDict, src: MDict, key: str) -> None:
    dst.key_marks[key] = src.key_marks.get(key, src.mark)
    dst.value_marks[key] = src.value_marks.get(key, src.mark)


def merge(parent: MDict, child: MDict) -> MDict:
    """Child keys win; mappings merge deeply; documents merge by id; ignore lists add up."""
    out = MDict()
    out.mark, out.key_marks, out.value_marks = child.mark, {}, {}
    for key, value in parent.items():
        if key == "extends":
            continue
        out[key] = value
        _copy_marks(out, parent, key)
    for key, value in child.items():
        if key == "extends":
            continue
        old = out.get(key)
        if key in ("documents", "rules") and isinstance(old, MList) and isinstance(value, MList):
            out[key] = _merge_by_id(old, value)
        elif key == "ignore" and isinstance(old, MList) and isinstance(value, MList):
            out[key] = _concat(old, [v for v in value if v not in old], value)
        elif isinstance(old, MDict) and isinstance(value, MDict):
            out[key] = merge(old, value)
        else:
            out[key] = value
        _copy_marks(out, child, key)
    return out


def _concat(first: MList, extra: list[Any], source: MList) -> MList:
    out = MList(first)
    out.mark, out.item_marks = source.mark, list(first.item_marks)
    for item in extra:
        out.append(item)
        out.item_marks.append(source.mark_of(source.index(item)))
    return out


def _merge_by_id(parent: MList, child: MList) -> MList:
    """Documents and rules merge by id: a child item with a known id updates it, others add."""
    out = MList()
    out.mark, out.item_marks = child.mark, []
    index: dict[str, int] = {}
    for i, doc in enumerate(parent):
        out.append(doc)
        out.item_marks.append(parent.mark_of(i))
        if isinstance(doc, MDict) and isinstance(doc.get("id"), str):
            index[doc["id"]] = len(out) - 1
    for i, doc in enumerate(child):
        doc_id = doc.get("id") if isinstance(doc, MDict) else None
        if isinstance(doc_id, str) and doc_id in index:
            pos = index[doc_id]
            out[pos] = merge(out[pos], doc)
            out.item_marks[pos] = child.mark_of(i)
        else:
            out.append(doc)
            out.item_marks.append(child.mark_of(i))
    # `remove: true` drops an inherited document or rule.
    keep = [i for i, d in enumerate(out) if not (isinstance(d, MDict) and d.get("remove") is True)]
    pruned = MList(out[i] for i in keep)
    pruned.mark, pruned.item_marks = out.mark, [out.item_marks[i] for i in keep]
    return pruned


# --- building the typed model ------------------------------------------------------


def compile_name(source: str, variables: dict[str, VariableSpec]) -> tuple[NamePattern | None, str | None]:
    """Turn `02_营业执照_{company}.pdf` into a regex; return (pattern, problem)."""
    pieces: list[tuple[str, str]] = []
    seen: list[str] = []
    pos = 0
    for m in _PLACEHOLDER.finditer(source):
        pieces.append(("literal", _literal(source[pos : m.start()])))
        name = m.group(1).strip()
        if name not in variables:
            near = difflib.get_close_matches(name, list(variables), 1)
            tip = f" (did you mean '{near[0]}'?)" if near else ""
            declared = ", ".join(variables) or "none"
            return None, f"unknown variable '{{{name}}}' in name pattern{tip}; declared variables: {declared}"
        pieces.append(("slot", name))
        if name not in seen:
            seen.append(name)
        pos = m.end()
    pieces.append(("literal", _literal(source[pos:])))
    slots = tuple((name, slot_regex(variables[name])) for name in seen)
    literal_text = _PLACEHOLDER.sub(" ", source)
    keywords = tuple(_KEYWORD.findall(unicodedata.normalize("NFC", literal_text.rsplit(".", 1)[0])))
    shape = re.compile(render_pieces(pieces, slots), re.DOTALL)
    titles = tuple((name, variables[name].title) for name in seen)
    return NamePattern(source, shape, tuple(seen), keywords, pieces=tuple(pieces), slots=slots, titles=titles), None


# What a slot of each value type may hold in a file name. `[^_]` elsewhere: the underscore
# separates the parts of every pattern, and no company name or code holds one.
_ANY = r"[^_]+"
_SLOT_BY_TYPE = {
    "integer": r"[0-9]+",
    "number": r"[0-9]+(?:\.[0-9]+)?",
    "date": r"[0-9]{4}(?:[-.]?[0-9]{1,2}){2}",
    "month": r"[0-9]{4}[-.]?[0-9]{1,2}",
    "boolean": r"是|否|[Yy]es|[Nn]o|[Tt]rue|[Ff]alse",
    "uscc": r"(?i:[0-9A-HJ-NPQRTUWXY]{18})",  # GB 32100: 18 characters, no I O S V Z
    "cn_id": r"[0-9]{17}[0-9Xx]",
    "cn_mobile": r"[0-9]{11}",
}


def slot_regex(var: VariableSpec) -> str:
    """What the slot of a variable may capture: its own anchored `pattern` (`^20\\d{2}$`),
    else the shape of its type, else anything but the separator `_`."""
    pattern = var.pattern if isinstance(var.pattern, str) else None  # else the schema has said so
    if pattern and pattern.startswith("^") and pattern.endswith("$") and not pattern.endswith("\\$"):
        inner = pattern[1:-1]
        try:
            if not re.compile(inner).groups:  # groups would shift the slot's own group numbers
                return f"(?:{inner})"
        except re.error:
            pass
    if var.type in ("licence_no", "icp_record"):
        from validator.identifiers import shape_of

        return f"(?:{shape_of(var.type)})"
    return f"(?:{_SLOT_BY_TYPE.get(var.type or '', _ANY)})"


def _literal(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    return ".*".join(loose_literal(chunk) for chunk in text.split("*"))


def _compile_regex(source: str, variables: dict[str, VariableSpec]) -> NamePattern:
    from validator.userregex import compile_user_regex

    rx = compile_user_regex(source, re.DOTALL)
    slots = tuple(g for g in rx.groupindex if g in variables)
    return NamePattern(source, rx, slots, (), is_regex=True)


def _variables(data: MDict) -> dict[str, VariableSpec]:
    raw = data.get("variables")
    if not isinstance(raw, dict):
        return {}
    return {
        name: VariableSpec(
            name=name,
            title=str(v.get("title") or name),
            required=bool(v.get("required", False)),
            type=v.get("type"),
            pattern=v.get("pattern"),
            default=_default(name, v, data),
        )
        for name, v in raw.items()
        if isinstance(v, dict)
    }


def _default(name: str, var: dict[str, Any], data: MDict) -> str | None:
    """A variable's `default:`; the `year` variable defaults to the spec's own `year:`."""
    value = var.get("default")
    if value is None and name == "year":
        value = data.get("year")
    if value is None or isinstance(value, dict | list | bool):
        return None
    return str(value).strip() or None


def _semantic_problems(data: MDict) -> list[tuple[Mark | None, str]]:
    """What the schema cannot see: variables used in patterns, known types, id clashes, bounds."""
    from validator.sniff import SHORT_TYPES

    problems: list[tuple[Mark | None, str]] = []
    variables = _variables(data)
    docs = data.get("documents")
    if not isinstance(docs, MList):
        docs = _empty_list()
    seen: set[str] = set()
    for i, doc in enumerate(docs):
        if not isinstance(doc, MDict):
            continue
        where = f"documents[{doc.get('id', i)}]"
        doc_id = doc.get("id")
        if isinstance(doc_id, str):
            if doc_id in seen:
                problems.append((docs.mark_of(i), f"{where}: duplicate document id '{doc_id}'"))
            seen.add(doc_id)
        name = doc.get("name")
        if isinstance(name, str):
            problem = compile_name(name, variables)[1]
            if problem:
                problems.append((doc.mark_of("name"), f"{where}.name: {problem}"))
        types = doc.get("types")
        if not isinstance(types, MList):
            types = _empty_list()
        for j, t in enumerate(types):
            if isinstance(t, str) and "/" not in t and t.lower() not in SHORT_TYPES:
                near = difflib.get_close_matches(t.lower(), list(SHORT_TYPES), 1)
                tip = f" (did you mean '{near[0]}'?)" if near else ""
                problems.append((types.mark_of(j), f"{where}.types: unknown type '{t}'{tip}"))
        try:
            count = CountRange.parse(doc.get("count", 1))
            if count.max is not None and count.max < count.min:
                problems.append((doc.mark_of("count"),
                                 f"{where}.count: the upper bound is below the lower bound"))
            lo, hi = doc.get("min_size"), doc.get("max_size")
            if lo is not None and hi is not None and parse_size(lo) > parse_size(hi):
                problems.append((doc.mark_of("min_size"), f"{where}.min_size: larger than max_size"))
        except (ValueError, TypeError, AttributeError):
            pass  # the schema has reported the bad value
        sheet = doc.get("sheet")
        columns = sheet.get("columns") if isinstance(sheet, MDict) else None
        names = [c.get("name") for c in columns if isinstance(c, dict)] if isinstance(columns, MList) else []
        for dup in sorted({str(n) for n in names if names.count(n) > 1}):
            assert isinstance(sheet, MDict)  # it has columns
            problems.append((sheet.mark_of("columns"), f"{where}.sheet.columns: column '{dup}' listed twice"))
        if isinstance(sheet, MDict):
            problems.extend(_contradictions(sheet, ("min_rows", "max_rows"), f"{where}.sheet"))
            for column in columns if isinstance(columns, MList) else ():
                if isinstance(column, MDict):
                    at = f"{where}.sheet.columns[{column.get('name')}]"
                    problems.extend(_contradictions(column, ("min", "max"), at))
            # A rule written beside these columns (or in the spec being loaded) must name known
            # columns; an inherited rule whose columns a child's layout dropped no longer applies.
            owners = {data.mark.file, sheet.mark_of("columns").file}
            checker = _RuleChecker(variables, [str(n).strip() for n in names if isinstance(n, str)], set(), owners)
            problems.extend(checker.rules(sheet.get("rules"), sheet.mark_of("rules"), f"{where}.sheet.rules"))
    doc_ids = {k for d in docs if isinstance(d, MDict) and isinstance(k := d.get("id"), str)}  # an id [a]: unhashable
    checker = _RuleChecker(variables, None, doc_ids)
    problems.extend(checker.rules(data.get("rules"), data.mark_of("rules"), "rules"))
    problems.extend(_severity_problems(data))
    return problems


def _contradictions(raw: MDict, bounds: tuple[str, str], where: str) -> list[tuple[Mark | None, str]]:
    """A lower bound above its upper bound: no file could ever pass, so it is the spec's mistake."""
    lo_key, hi_key = bounds
    lo, hi = raw.get(lo_key), raw.get(hi_key)
    if (isinstance(lo, int | float) and isinstance(hi, int | float) and not isinstance(lo, bool)
            and not isinstance(hi, bool) and lo > hi):
        return [(raw.mark_of(lo_key), f"{where}.{lo_key}: larger than {hi_key} ({lo} > {hi})")]
    return []


_VAR_REF = re.compile(r"\{\s*(" + schema.IDENT + r")\s*\}")


class _RuleChecker:
    """What the schema cannot see in `rules:`: the columns, variables and documents they name."""

    def __init__(self, variables: dict[str, VariableSpec], columns: list[str] | None, documents: set[str],
                 owners: set[str] | None = None):
        self.variables, self.columns, self.documents = variables, columns, documents
        self.owners = owners  # files whose rules must name known columns (None: every file)
        self.file = ""  # file of the rule being checked
        self.out: list[tuple[Mark | None, str]] = []

    def rules(self, raw: Any, mark: Mark, path: str) -> list[tuple[Mark | None, str]]:
        if not isinstance(raw, MList):
            return []
        seen: set[str] = set()
        for i, rule in enumerate(raw):
            if not isinstance(rule, MDict):
                continue
            rid = rule.get("id")
            where = f"{path}[{rid if isinstance(rid, str) else i}]"
            self.file = raw.mark_of(i).file
            if isinstance(rid, str):
                if rid in seen:
                    self.out.append((raw.mark_of(i), f"{where}: duplicate rule id '{rid}'"))
                seen.add(rid)
            for key in ("when", "expect"):
                if isinstance(rule.get(key), MDict):
                    self.condition(rule[key], f"{where}.{key}")
            for key in ("require", "require_documents"):
                if key in rule and "when" not in rule:
                    self.out.append((rule.mark_of(key), f"{where}.{key}: needs a `when` condition "
                                     "(without one, mark the column `required: true` or the document required)"))
            for key in ("require", "require_documents"):
                items = rule.get(key)
                if not isinstance(items, MList):
                    continue
                for j, name in enumerate(items):
                    if isinstance(name, str):
                        mark_j = items.mark_of(j)
                        if key == "require":
                            self.column(name, mark_j, f"{where}.{key}")
                        else:
                            self.document(name, mark_j, f"{where}.{key}")
            for key in ("count", "ip_ranges"):
                sub = rule.get(key)
                if not isinstance(sub, MDict):
                    continue
                for k, v in sub.items():
                    if key == "count" and isinstance(v, str):
                        self.placeholders(v, sub.mark_of(k), f"{where}.{key}.{k}")
                    elif key == "ip_ranges" and isinstance(v, str):
                        self.column(v, sub.mark_of(k), f"{where}.{key}.{k}")
        return self.out

    def condition(self, cond: MDict, path: str) -> None:
        subject = next((k for k in ("column", "variable") if k in cond), None)
        ops = [k for k in schema.OPERATORS if k in cond]
        combinator = next((k for k in ("all", "any", "not") if k in cond), None)
        if subject and not ops:
            ops_list = ", ".join(schema.OPERATORS)
            self.out.append((cond.mark, f"{path}: a condition on {subject} '{cond[subject]}' "
                                        f"needs an operator ({ops_list})"))
        if combinator and ops:
            self.out.append((cond.mark_of(ops[0]), f"{path}: '{ops[0]}' needs a column or variable, "
                                                   f"not '{combinator}'; put it in a condition of its own"))
        if isinstance(cond.get("column"), str):
            self.column(cond["column"], cond.mark_of("column"), f"{path}.column")
        if isinstance(cond.get("variable"), str):
            self.variable(cond["variable"].strip(), cond.mark_of("variable"), f"{path}.variable")
        for op in ops:
            operands = cond[op] if isinstance(cond[op], MList) else [cond[op]]
            for v in operands:
                if isinstance(v, str):
                    self.placeholders(v, cond.mark_of(op), f"{path}.{op}")
        for key in ("all", "any"):
            items = cond.get(key)
            for j, sub in enumerate(items if isinstance(items, list) else []):
                if isinstance(sub, MDict):
                    self.condition(sub, f"{path}.{key}[{j}]")
        if isinstance(cond.get("not"), MDict):
            self.condition(cond["not"], f"{path}.not")

    def placeholders(self, text: str, mark: Mark, path: str) -> None:
        for m in _VAR_REF.finditer(text):
            self.variable(m.group(1), mark, path)

    def variable(self, name: str, mark: Mark, path: str) -> None:
        if name not in self.variables:
            self.out.append((mark, f"{path}: {_unknown('variable', name, list(self.variables))}"))

    def column(self, name: str, mark: Mark, path: str) -> None:
        if self.columns is None:
            self.out.append((mark, f"{path}: columns can only be used in a sheet's rules"))
        elif name.strip() not in self.columns and (self.owners is None or self.file in self.owners):
            self.out.append((mark, f"{path}: {_unknown('column', name, self.columns)}"))

    def document(self, name: str, mark: Mark, path: str) -> None:
        if name not in self.documents:
            self.out.append((mark, f"{path}: {_unknown('document', name, sorted(self.documents))}"))


def _unknown(what: str, name: str, known: list[str]) -> str:
    near = difflib.get_close_matches(name, known, 1)
    tip = f" (did you mean '{near[0]}'?)" if near else ""
    return f"unknown {what} '{name}'{tip}; declared: {', '.join(known) or 'none'}"


def _empty_list() -> MList:
    out = MList()
    out.mark, out.item_marks = Mark("", 0, 0), []
    return out


def _build(data: MDict, path: Path, chain: tuple[str, ...]) -> Spec:
    """The typed spec; `data` has passed the schema and the semantic checks."""
    variables = _variables(data)
    documents = tuple(_build_document(raw, variables) for raw in data.get("documents") or ())
    naming_raw = data.get("naming") or {}
    return Spec(
        id=data["id"],
        title=data["title"],
        documents=documents,
        variables=variables,
        naming=NamingRules(
            max_length=naming_raw.get("max_length"),
            max_path_length=naming_raw.get("max_path_length"),
            platform=naming_raw.get("platform"),
            forbid=frozenset(naming_raw.get("forbid") or ()),
            extension_case=naming_raw.get("extension_case", "lower"),
        ),
        ignore=tuple(data.get("ignore") or ()),
        unexpected_files=data.get("unexpected_files", "error"),
        severity={_canonical_code(k): v for k, v in (data.get("severity") or {}).items()},
        version=str(data.get("version", "")),
        year=data.get("year"),
        licence=data.get("licence", ""),
        description=data.get("description", ""),
        rules=_build_rules(data.get("rules")),
        source=str(path),
        chain=chain,
        raw=data,
    )


def _canonical_code(key: str) -> str:
    from validator.codes import lookup

    entry = lookup(key)
    return entry.code if entry else key


def _severity_problems(data: MDict) -> list[tuple[Mark | None, str]]:
    from validator.codes import CODES, lookup

    problems: list[tuple[Mark | None, str]] = []
    sev = data.get("severity")
    if not isinstance(sev, MDict):
        return problems
    for key in sev:
        if lookup(key) is None:
            near = difflib.get_close_matches(key.upper(), list(CODES), 1)
            tip = f" (did you mean '{near[0]}'?)" if near else ""
            problems.append((sev.key_marks.get(key), f"severity: unknown defect code '{key}'{tip}"))
    return problems


def _build_document(raw: MDict, variables: dict[str, VariableSpec]) -> DocumentSpec:
    pattern = compile_name(raw["name"], variables)[0] if "name" in raw else _compile_regex(raw["regex"], variables)
    assert pattern is not None
    pdf_raw = raw.get("pdf")
    pdf = None
    if pdf_raw is not None:
        pages = CountRange.parse(pdf_raw["pages"]) if "pages" in pdf_raw else None
        pdf = PdfSpec(encrypted=pdf_raw.get("encrypted"), pages=pages)
    sheet_raw = raw.get("sheet")
    return DocumentSpec(
        id=raw["id"],
        title=raw.get("title", raw["id"]),
        pattern=pattern,
        required=raw.get("required", True),
        count=CountRange.parse(raw.get("count", 1)),
        types=tuple(t if "/" in t else t.lower() for t in raw.get("types") or ()),
        max_size=parse_size(raw["max_size"]) if "max_size" in raw else None,
        min_size=parse_size(raw["min_size"]) if "min_size" in raw else None,
        pdf=pdf,
        sheet=_build_sheet(sheet_raw) if sheet_raw is not None else None,
        description=raw.get("description", ""),
        unpack=bool(raw.get("unpack", False)),
        counterparty=bool(raw.get("counterparty", False)),
    )


def _build_sheet(raw: MDict) -> SheetSpec:
    columns = tuple(
        ColumnSpec(
            name=str(c["name"]).strip(),
            type=c.get("type"),
            required=c.get("required", False),
            unique=c.get("unique", False),
            enum=tuple(c.get("enum") or ()),
            pattern=c.get("pattern"),
            min=c.get("min"),
            max=c.get("max"),
        )
        for c in raw.get("columns") or ()
    )
    names = {c.name for c in columns}  # inherited rules on columns a child dropped do not apply
    return SheetSpec(
        name=raw.get("name"),
        header_row=raw.get("header_row", 1),
        columns=columns,
        order=raw.get("order", "strict"),
        extra_columns=raw.get("extra_columns", "error"),
        min_rows=raw.get("min_rows"),
        max_rows=raw.get("max_rows"),
        rules=tuple(r for r in _build_rules(raw.get("rules")) if all(c in names for c in r.columns())),
    )


def _build_rules(raw: Any) -> tuple[RuleSpec, ...]:
    return tuple(_build_rule(r) for r in raw or ())


def _build_rule(raw: MDict) -> RuleSpec:
    kind: RuleKind = next(k for k in (*schema.ASSERTIONS, "require_documents") if k in raw)
    count = raw.get("count") or {}
    ipr = raw.get("ip_ranges")
    return RuleSpec(
        id=raw["id"],
        kind=kind,
        title=raw.get("title", raw["id"]),
        title_en=raw.get("title_en", ""),
        description=raw.get("description", ""),
        severity=raw.get("severity"),
        when=_build_condition(raw["when"]) if "when" in raw else None,
        require=tuple(str(c).strip() for c in raw.get("require") or ()),
        expect=_build_condition(raw["expect"]) if "expect" in raw else None,
        count_min=_bound(count.get("min")),
        count_max=_bound(count.get("max")),
        ip_ranges=(str(ipr["start"]).strip(), str(ipr["end"]).strip()) if ipr else None,
        documents=tuple(raw.get("require_documents") or ()),
    )


def _bound(value: Any) -> int | float | str | None:
    return value.strip() if isinstance(value, str) else value


def _build_condition(raw: MDict) -> Condition:
    return Condition(
        column=str(raw["column"]).strip() if "column" in raw else None,
        variable=str(raw["variable"]).strip() if "variable" in raw else None,
        ops=tuple((op, tuple(raw[op]) if isinstance(raw[op], list) else raw[op])
                  for op in schema.OPERATORS if op in raw),
        all=tuple(_build_condition(c) for c in raw.get("all") or ()),
        any=tuple(_build_condition(c) for c in raw.get("any") or ()),
        negate=_build_condition(raw["not"]) if "not" in raw else None,
    )
