"""YAML loading that remembers where every value came from (file:line:col).

PyYAML's composer gives nodes with marks; we turn them into plain dicts/lists whose
containers remember the mark of each key and item, so every later error can point
at the spot in the user's file. Duplicate keys are refused (PyYAML silently keeps
the last one).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml


@dataclass(frozen=True)
class Mark:
    file: str
    line: int  # 1-based
    column: int  # 1-based

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


class SpecError(Exception):
    """A spec (or client file) that cannot be used; carries every problem found."""

    def __init__(self, problems: list[tuple[Mark | None, str]]):
        self.problems = problems
        super().__init__("\n".join(format_problem(m, msg) for m, msg in problems))


def format_problem(mark: Mark | None, msg: str) -> str:
    return f"{mark}: {msg}" if mark else msg


class MDict(dict[str, Any]):
    mark: Mark
    key_marks: dict[str, Mark]
    value_marks: dict[str, Mark]

    def mark_of(self, key: str) -> Mark:
        return self.value_marks.get(key) or self.key_marks.get(key) or self.mark


class MList(list[Any]):
    mark: Mark
    item_marks: list[Mark]

    def mark_of(self, index: int) -> Mark:
        return self.item_marks[index] if 0 <= index < len(self.item_marks) else self.mark


def mark_of(container: Any, key: Any) -> Mark | None:
    if isinstance(container, MDict | MList):
        return container.mark_of(key)
    return None


# libyaml's loader (when PyYAML was built with it) parses ~5x faster and keeps node marks.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Bounds on what one YAML document may build, checked on the event stream before any node
# is composed: an alias re-uses a whole subtree, so nine nested aliases in 400 bytes stand
# for 10^9 nodes; and every consumer walks the data recursively.
MAX_DEPTH = 64  # nested mappings/sequences
MAX_ALIAS_NODES = 10_000  # nodes produced through aliases (their expanded size), per document


def _mark(node: yaml.Node, file: str) -> Mark:
    m = node.start_mark
    return Mark(file, m.line + 1, m.column + 1)


def guard(text: str, file: str) -> None:
    """Refuse YAML nested deeper than MAX_DEPTH or whose aliases expand past MAX_ALIAS_NODES;
    one pass over the parser's events (iterative, linear, before anything is built)."""
    sizes: dict[str, int] = {}  # anchor -> expanded node count
    stack: list[list[Any]] = []  # [anchor, node count so far] of each open collection
    expanded = 0
    try:
        loader = _Loader(text)
        try:
            while loader.check_event():
                event = loader.get_event()
                if isinstance(event, yaml.AliasEvent):
                    n = sizes.get(event.anchor or "", 1)
                    expanded += n
                    if expanded > MAX_ALIAS_NODES:
                        raise SpecError([(_event_mark(event, file), f"invalid YAML: aliases expand to more than "
                                          f"{MAX_ALIAS_NODES} values (an alias bomb?); write the values out")])
                    if stack:
                        stack[-1][1] += n
                elif isinstance(event, yaml.CollectionStartEvent):
                    if len(stack) >= MAX_DEPTH:
                        raise SpecError([(_event_mark(event, file),
                                          f"invalid YAML: nested more than {MAX_DEPTH} levels deep")])
                    stack.append([event.anchor, 1])
                elif isinstance(event, yaml.CollectionEndEvent):
                    anchor, n = stack.pop()
                    if anchor:
                        sizes[anchor] = n
                    if stack:
                        stack[-1][1] += n
                elif isinstance(event, yaml.ScalarEvent):
                    if event.anchor:
                        sizes[event.anchor] = 1
                    if stack:
                        stack[-1][1] += 1
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, file, text) from None


def _event_mark(event: Any, file: str) -> Mark:
    m = event.start_mark
    return Mark(file, m.line + 1, m.column + 1) if m else Mark(file, 1, 1)


def _yaml_error(exc: yaml.YAMLError, file: str, text: str) -> SpecError:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        where = Mark(file, mark.line + 1, mark.column + 1) if mark else None
        return SpecError([(where, f"invalid YAML: {exc.problem or exc.context}")])
    if isinstance(exc, yaml.reader.ReaderError) and isinstance(exc.character, int):
        # A control character: the reader gives an offset into the text, not a line and column.
        start = text.rfind("\n", 0, exc.position) + 1
        where = Mark(file, text.count("\n", 0, exc.position) + 1, exc.position - start + 1)
        return SpecError([(where, f"invalid YAML: control character U+{exc.character:04X} is not allowed")])
    return SpecError([(Mark(file, 1, 1), f"invalid YAML: {str(exc).splitlines()[0]}")])


def load_plain(text: str, file: str) -> Any:
    """Plain Python data (dicts, lists, scalars) from YAML text, within the same bounds as
    specs; raises SpecError (file:line:col) for bad or hostile YAML."""
    guard(text, file)
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, file, text) from None
    except (RecursionError, MemoryError, ValueError, TypeError, OverflowError) as exc:
        raise SpecError([(Mark(file, 1, 1), f"invalid YAML: {type(exc).__name__}")]) from None


def load_marked(text: str, file: str) -> Any:
    """Parse one YAML document into MDict/MList/scalars; raise SpecError on bad YAML."""
    guard(text, file)
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                return None
            return _convert(node, loader, file)
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, file, text) from None
    except (RecursionError, MemoryError, ValueError, TypeError, OverflowError) as exc:
        # constructor corner cases (a timestamp out of range, say) stay a spec error
        raise SpecError([(Mark(file, 1, 1), f"invalid YAML: {type(exc).__name__}: {exc}"[:300])]) from None


def _convert(node: yaml.Node, loader: Any, file: str) -> Any:
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)  # resolve << merge keys
        out = MDict()
        out.mark, out.key_marks, out.value_marks = _mark(node, file), {}, {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            kmark = _mark(key_node, file)
            if not isinstance(key, str | int | float | bool) or key is None:
                raise SpecError([(kmark, "a key must be a plain string")])
            key = str(key)
            if key in out:
                raise SpecError([(kmark, f"duplicate key '{key}' (first at line {out.key_marks[key].line})")])
            out[key] = _convert(value_node, loader, file)
            out.key_marks[key] = kmark
            out.value_marks[key] = _mark(value_node, file)
        return out
    if isinstance(node, yaml.SequenceNode):
        items = MList()
        items.mark, items.item_marks = _mark(node, file), []
        for child in node.value:
            items.append(_convert(child, loader, file))
            items.item_marks.append(_mark(child, file))
        return items
    return loader.construct_object(node, deep=True)
