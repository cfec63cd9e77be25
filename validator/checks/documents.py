"""Which file is which document, and the folder-level rules on documents:
missing, too few, too many, unexpected files, byte-identical duplicates.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from validator.checks import Context
from validator.checks.naming import matching_form, to_halfwidth
from validator.hashing import file_digest
from validator.memo import Table, per_object
from validator.spec.model import DocumentSpec, NamePattern, Spec, render_pieces


@dataclass(frozen=True)
class Assignment:
    """Which document a file name was assigned to, and how."""

    document: DocumentSpec | None
    match: re.Match[str] | None  # set when the name follows the pattern's shape
    guessed: bool = False  # recognised from keywords, the name does not follow the pattern

    # One per file: without the frozen dataclass's per-field object.__setattr__ (same fields, by hand).
    def __init__(self, document: DocumentSpec | None, match: re.Match[str] | None, guessed: bool = False) -> None:
        _SET(self, "__dict__", {"document": document, "match": match, "guessed": guessed})


_SET = object.__setattr__


def assign(spec: Spec, name: str, values: Mapping[str, str] | None = None) -> Assignment:
    """Recognise the document a file name stands for.

    First by the name pattern (a slot may hold what its variable's type allows; with
    ``values``, also the client's own value where that is something else, e.g. a company
    name holding `_`); failing that, by the literal words of a pattern (营业执照, 人员名单…),
    so a badly named file is reported as badly named rather than as a stray file plus a
    missing document.
    """
    form = matching_form(name, spec.naming)
    found = _by_shape(spec, form)
    if found is None and values:  # rare: only names no pattern's shape takes
        found = _by_pattern(spec, form, lambda doc: _filled_if_possible(doc.pattern, values, form))
    if found is not None:
        return found
    return Assignment(_guess(spec.documents, form), None, guessed=True)


def _by_pattern(spec: Spec, form: str, regex_of: Callable[[DocumentSpec], re.Pattern[str]] | None) -> Assignment | None:
    """The best document whose pattern (``regex_of``; None: its shape) takes the whole name."""
    best: tuple[int, DocumentSpec, re.Match[str]] | None = None
    for doc in spec.documents:
        m = (doc.pattern.shape if regex_of is None else regex_of(doc)).fullmatch(form)
        if m:
            score = _score(doc)
            if best is None or score > best[0]:
                best = (score, doc, m)
    return Assignment(best[1], best[2]) if best else None


def _score(doc: DocumentSpec) -> int:
    """How specific a document's pattern is (the most literal characters win)."""
    return len(doc.pattern.source) - 4 * len(doc.pattern.variables)


def _by_shape(spec: Spec, form: str) -> Assignment | None:
    """``_by_pattern(spec, form, None)`` with one regex call for the whole spec (plus one to
    read the winner's slots) instead of one per document: every file of every client asks."""
    combined, winners, alone = _shapes_of(spec)
    m = combined.fullmatch(form) if combined is not None else None
    best = winners[m.lastgroup] if m is not None else None  # type: ignore[index]
    for candidate in alone:  # a `regex:` pattern is the spec writer's own: tried alone
        if (best is None or candidate[:2] > best[:2]) and candidate[2].pattern.shape.fullmatch(form):
            best = candidate
    if best is None:
        return None
    doc = best[2]
    m = doc.pattern.shape.fullmatch(form)
    return Assignment(doc, m) if m is not None else _by_pattern(spec, form, None)


_Ranked = tuple[int, int, DocumentSpec]  # (score, -position in the spec, document): the larger wins
_Shapes = tuple[re.Pattern[str] | None, dict[str, _Ranked], tuple[_Ranked, ...]]


def _shapes_of(spec: Spec) -> _Shapes:
    """(one regex taking a name that any glob pattern's shape takes, its groups' documents, the
    ``regex:`` documents). The combined regex tries the documents most specific first, each in a
    group named ``_d<position>`` (its slots renamed, so two documents may share a variable): the
    first alternative that takes the whole name is the one ``_by_pattern`` would choose."""
    return per_object(_COMBINED, spec, lambda: _combine(spec))


def _combine(spec: Spec) -> _Shapes:
    ranked = [(_score(d), -i, d) for i, d in enumerate(spec.documents)]
    globs = sorted((r for r in ranked if _combinable(r[2].pattern)), key=lambda r: (-r[0], -r[1]))
    try:
        combined = re.compile("|".join(_alternative(-r[1], r[2].pattern) for r in globs), re.DOTALL) if globs else None
    except re.error:  # every shape compiled on its own, so this should not happen: then each alone
        combined, globs = None, []
    alone = tuple(r for r in ranked if combined is None or not _combinable(r[2].pattern))
    return combined, {f"_d{-r[1]}": r for r in globs}, alone


_COMBINED: Table = {}  # one combined regex per spec object (validator.memo)


def _combinable(pattern: NamePattern) -> bool:
    return not pattern.is_regex and bool(pattern.pieces)


def _alternative(position: int, pattern: NamePattern) -> str:
    """A glob pattern's shape (as ``compile_name`` builds it) as one group of the combined regex,
    its slots' groups named apart from every other pattern's."""
    shape = render_pieces(pattern.pieces, pattern.slots, group=lambda variable, k: f"_s{position}_{k}")
    return f"(?P<_d{position}>{shape})"


_NEVER = re.compile(r"(?!)")


def _filled_if_possible(pattern: NamePattern, values: Mapping[str, str], form: str) -> re.Pattern[str]:
    """``pattern.filled(values)``, or a regex that matches nothing when the name cannot match it:
    the filled pattern differs from the shape (which did not match) only in its slots, so a
    name whose literal parts are not there is out without compiling a regex per client."""
    if pattern.is_regex or not pattern.variables:
        return _NEVER  # filled() is the shape itself
    if not _skeleton(pattern).fullmatch(form):
        return _NEVER
    return pattern.filled(values)


@functools.lru_cache(maxsize=1024)
def _skeleton(pattern: NamePattern) -> re.Pattern[str]:
    """The pattern with every slot (and back-reference) taking anything: a superset of what
    ``filled`` accepts for any values (it is compiled with the same flag)."""
    anything = render_pieces(pattern.pieces, pattern.slots, fill=lambda variable, slot: "(?:.*)", group=None)
    return re.compile(anything, re.DOTALL)


def _guess(documents: Sequence[DocumentSpec], form: str) -> DocumentSpec | None:
    text = to_halfwidth(form).lower()
    scored: list[tuple[int, DocumentSpec]] = []
    for doc in documents:
        words = {w.lower() for w in doc.pattern.keywords}
        score = sum(len(w) for w in words if w in text)
        if score and all(w in text for w in words if re.search(r"[\u3400-\u9fff]", w)):
            scored.append((score, doc))
    if not scored:
        return None
    scored.sort(key=lambda s: -s[0])
    if len(scored) > 1 and scored[0][0] == scored[1][0]:
        return None  # ambiguous: better a stray file than a wrong guess
    return scored[0][1]


def values_differ(found: str, expected: str) -> bool:
    def norm(s: str) -> str:
        return to_halfwidth(unicodedata.normalize("NFC", s)).strip().casefold()

    return norm(found) != norm(expected)


def check_name_values(ctx: Context, rel: str, doc: DocumentSpec, match: re.Match[str]) -> None:
    """A variable slot in the name must hold the client's value (not another company's).

    The name is read again with the client's values tried first in their slots, so a slot
    next to a wildcard or another slot takes the client's value where the name holds it
    (`04_审计报告_{year}*.pdf` reads 2025 in `04_审计报告_2025_定稿.pdf`). A slot whose value
    the client did not give is noted as not checked (N112), never passed in silence.
    """
    pattern = doc.pattern
    if not pattern.variables:  # no slot to read: the usual document of a names-only spec
        return
    found_values = match.groupdict()
    if not _holds_own_values(pattern.variables, found_values, ctx.values):
        # Compiled per client (its values are in it): only for a name the shape reads otherwise.
        read = pattern.filled(ctx.values).fullmatch(match.string) or match
        found_values = read.groupdict()
    for var in pattern.variables:
        found = found_values.get(var)
        if found is None:
            continue
        expected = ctx.values.get(var)
        title = ctx.spec.variables[var].title
        if not expected:
            ctx.emit("N112", rel, {"variable": var, "title": title, "found": found}, document=doc.id)
        elif values_differ(found, expected):
            ctx.emit(
                "N102", rel, {"variable": var, "title": title, "found": found, "expected": expected}, document=doc.id
            )


def _holds_own_values(variables: Sequence[str], found: Mapping[str, str | None], values: Mapping[str, str]) -> bool:
    """Does the shape's reading already find the client's own value in every slot? Then the
    reading with the client's values tried first has nothing to add (the name holds them all),
    and no defect is due."""
    for var in variables:
        value, expected = found.get(var), values.get(var)
        if value is not None and (not expected or values_differ(value, expected)):
            return False
    return True


def check_counts(ctx: Context, assigned: dict[str, list[str]]) -> None:
    for doc in ctx.spec.documents:
        files = sorted(assigned.get(doc.id, []))
        n = len(files)
        shown = doc.pattern.display(ctx.values)
        if n == 0:
            if doc.required and doc.count.min > 0:
                ctx.emit("D101", "", {"title": doc.title, "pattern": shown}, document=doc.id)
            continue
        if n < doc.count.min:
            ctx.emit("D102", "", {"title": doc.title, "found": n, "expected": str(doc.count)}, document=doc.id)
        if doc.count.max is not None and n > doc.count.max:
            ctx.emit(
                "D103", "", {"title": doc.title, "found": n, "expected": doc.count.max, "files": files}, document=doc.id
            )


def unexpected(ctx: Context, rel: str) -> None:
    level = ctx.spec.unexpected_files
    if level == "ignore":
        return
    from validator.model import Severity

    ctx.emit("D104", rel, severity=Severity(level))


def check_duplicates(
    ctx: Context,
    files: Iterable[tuple[str, str, int, str | None]],
    digest_of: Callable[[str], str | None] | None = None,
) -> None:
    """files: (rel, path, size, document). Hash only files that share a size with another
    (`digest_of` may answer from a cache of content hashes; default: read the file)."""
    digest_of = digest_of or file_digest
    by_size: dict[int, list[tuple[str, str, str | None]]] = defaultdict(list)
    for rel, path, size, doc in files:
        if size > 0:
            by_size[size].append((rel, path, doc))
    for group in by_size.values():
        if len(group) < 2:
            continue
        first_by_hash: dict[str, str] = {}
        for rel, path, doc in sorted(group):
            digest = digest_of(path)
            if digest is None:
                continue
            if digest in first_by_hash:
                ctx.emit("D105", rel, {"other": first_by_hash[digest]}, document=doc)
            else:
                first_by_hash[digest] = rel
