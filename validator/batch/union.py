"""One spec from several: a client holding several licences needs the union of their documents.

The specs are merged the way ``extends`` merges a child into its parent, file by file: the
ancestry of every spec (``core`` -> ``call-center``) is applied in order and a file already
applied (``core``, shared by ``call-center`` and ``icp``) is skipped. So documents with the same
id merge instead of appearing twice, and what a spec changes in an inherited document (a larger
``min_rows``, say) survives the next spec re-inheriting the same base. When two specs change the
same key, the one named later wins.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from validator.spec.model import Spec


def load_union(refs: Sequence[str]) -> Spec:
    """The spec for a client: ``refs[0]`` alone, or the union of all of them. Raises SpecError."""
    from validator.spec import SpecError
    from validator.spec.loader import _build, _semantic_problems, load_spec, locate, merge
    from validator.spec.schema import spec as spec_schema

    if not refs:
        raise SpecError([(None, "no spec given")])
    if len(refs) == 1:
        return load_spec(refs[0])
    specs = [load_spec(ref) for ref in refs]  # each on its own first: its errors carry its own file:line
    merged: Any = None
    applied: set[Path] = set()
    for ref in refs:
        for path, data in _ancestry(locate(ref)):
            if path in applied:
                continue
            applied.add(path)
            merged = data if merged is None else merge(merged, data)
    problems: list[Any] = []
    spec_schema.check(merged, merged.mark, "", problems)
    problems.extend(_semantic_problems(merged))
    if problems:
        raise SpecError(problems)
    union = _build(merged, Path(specs[0].source), tuple(dict.fromkeys(c for s in specs for c in s.chain)))
    return dataclasses.replace(
        union,
        id="+".join(s.id for s in specs),
        title=" + ".join(s.title for s in specs),
        licence=", ".join(dict.fromkeys(s.licence for s in specs if s.licence)),
    )


def _ancestry(path: Path) -> list[tuple[Path, Any]]:
    """(file, its own data) from the root of the ``extends`` chain down to ``path``."""
    from validator.spec import SpecError
    from validator.spec.loader import _read, locate

    chain: list[tuple[Path, Any]] = []
    current: Path | None = path
    while current is not None:
        resolved = current.resolve()
        if any(p == resolved for p, _ in chain):
            raise SpecError([(None, f"extends forms a cycle at {resolved}")])
        data = _read(current)
        chain.append((resolved, data))
        parent = data.get("extends") if hasattr(data, "get") else None
        current = locate(parent, current.parent) if isinstance(parent, str) else None
    return chain[::-1]
