"""The defect code catalogue: one entry per code, in Chinese and English.

Each family declares its codes in its own module of this package, next to the name of the check
that emits them: F file system, V client variables, D documents, N naming, T type, S size, P PDF,
X spreadsheet, C cross-field rules, L leakage, Z zip archives, W waivers, U the user's platform.
They are plain data, apart from the checks, so that rendering a cached report (the hook) or
`explain` never imports a reader or a check.

Codes are append-only (tests/test_codes.py holds them to a snapshot): a code never changes
meaning; a retired code stays with ``retired=True`` so old reports can still be explained.

Message templates use ``str.format`` fields filled from the defect's params; a param named
``reason`` is first translated through ``REASONS``.
"""

from __future__ import annotations

from validator.codes import (
    documents,
    file_system,
    leakage,
    naming,
    pdf,
    platform,
    rules,
    size,
    spreadsheets,
    types,
    variables,
    waivers,
    zip,
)
from validator.codes.base import Code, Text
from validator.codes.texts import ADVICE, FRAGMENTS, KIND_NAMES, REASONS, TYPE_NAMES

FAMILIES = (file_system, variables, documents, naming, types, size, pdf, spreadsheets, rules, leakage, zip,
            waivers, platform)

CODES: dict[str, Code] = {c.code: c for family in FAMILIES for c in family.CODES}
BY_NAME: dict[str, Code] = {c.name: c for c in CODES.values()}

# Messages for one defect standing for several rows of a column (params ``count``, the first rows
# in ``row_list``, ``more`` beyond them, ``who`` on the listed rows, and the first row's own params
# as the example), used when a defect has ``row_list``: declared by the families that group rows.
GROUPED: dict[str, Text] = {**spreadsheets.GROUPED, **rules.GROUPED}


def lookup(code_or_name: str) -> Code | None:
    key = code_or_name.strip()
    return CODES.get(key.upper()) or BY_NAME.get(key.lower())


__all__ = ["ADVICE", "BY_NAME", "CODES", "FRAGMENTS", "GROUPED", "KIND_NAMES", "REASONS", "TYPE_NAMES",
           "Code", "Text", "lookup"]
