"""What a defect code is: its stable identity, default severity and texts in Chinese and English."""

from __future__ import annotations

from dataclasses import dataclass

from validator.model import Severity

Text = tuple[str, str]  # (zh, en)


@dataclass(frozen=True)
class Code:
    """One entry of the catalogue of defect codes: its alias, default severity and texts."""

    code: str
    name: str  # stable kebab-case alias, accepted wherever a code is
    severity: Severity  # default; a spec may override it
    title: Text
    message: Text
    fix: Text
    why: Text
    example: str = ""
    retired: bool = False


E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO
