"""Write a drafted spec as YAML where every guess carries a comment.

PyYAML drops comments, so the text is written here, line by line; values go through
:func:`flow`, which quotes whatever YAML could read as something else.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from validator.drafting.words import clean

_PLAIN = re.compile(r"[A-Za-z_\u4e00-\u9fff][A-Za-z0-9_\-\u4e00-\u9fff]*")
_SPECIAL = re.compile(r"(?i)true|false|yes|no|on|off|null|y|n")
_UNSAFE = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029\ud800-\udfff\ufeff]")


def scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value)
    if _PLAIN.fullmatch(text) and not _SPECIAL.fullmatch(text):
        return text
    # A JSON string is a YAML double-quoted scalar; escape anything YAML could read as a break,
    # and (json_text) the C1 and bidi characters a terminal would act on when the draft is shown.
    from validator.textsafe import json_text

    return json_text(json.dumps(text, ensure_ascii=bool(_UNSAFE.search(text))))


def flow(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{scalar(k)}: {flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(flow(v) for v in value) + "]"
    return scalar(value)


@dataclass
class Field:
    key: str
    value: Any  # a plain value, or a Block for a nested mapping
    why: str = ""


@dataclass
class Block:
    """A nested mapping written in block style (a document's `sheet:`)."""

    fields: list[Field] = field(default_factory=list)
    items_key: str = ""  # a key whose value is a list of flow mappings, one a line
    items: list[tuple[dict[str, Any], str]] = field(default_factory=list)


@dataclass
class Item:
    """One document of the `documents:` list."""

    fields: list[Field]
    above: list[str] = field(default_factory=list)  # comment lines above the item


def comment(text: str) -> str:
    return f"  # {clean(text)}" if text else ""


def write_fields(fields: Sequence[Field], indent: str, first: str = "") -> list[str]:
    """Lines for a mapping's fields; ``first`` prefixes the first line (`- ` of a list item)."""
    lines: list[str] = []
    for i, f in enumerate(fields):
        lead = (indent[: -len(first)] + first) if i == 0 and first else indent
        if f.key.startswith("# "):  # a rule not written, and why
            lines.append(f"{indent}# {f.key[2:]}: {clean(f.why)}")
        elif isinstance(f.value, Block):
            lines.append(f"{lead}{f.key}:{comment(f.why)}")
            lines.extend(write_block(f.value, indent + "  "))
        else:
            lines.append(f"{lead}{f.key}: {flow(f.value)}{comment(f.why)}")
    return lines


def write_block(block: Block, indent: str) -> list[str]:
    lines = write_fields(block.fields, indent)
    if block.items_key:
        lines.append(f"{indent}{block.items_key}:")
        for mapping, why in block.items:
            lines.append(f"{indent}  - {flow(mapping)}{comment(why)}")
    return lines


def write_items(items: Sequence[Item], indent: str = "  ") -> list[str]:
    lines: list[str] = []
    for item in items:
        lines.extend(f"{indent}# {clean(a)}" for a in item.above)
        lines.extend(write_fields(item.fields, indent + "  ", first="- "))
    return lines
