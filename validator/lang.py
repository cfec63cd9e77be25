"""The reader's language from the environment, without importing the message catalogue:
the command line asks for it before anything else loads (`--help`, click's usage errors)."""

from __future__ import annotations

import os


def default_lang() -> str:
    """zh unless the locale says otherwise: our readers are Chinese clerks first."""
    for var in ("VALIDATOR_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value:
            # C / POSIX (and C.UTF-8) state no language: keep Chinese, our first language.
            if value.split(".")[0] in ("C", "POSIX"):
                return "zh"
            return "zh" if value.lower().startswith("zh") else "en"
    import locale

    try:
        loc = locale.getlocale()[0] or ""
    except ValueError:
        loc = ""
    return "en" if loc and not loc.lower().startswith("zh") else "zh"
