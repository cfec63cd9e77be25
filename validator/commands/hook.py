"""`validator hook FILE...`: what pre-commit runs (see .pre-commit-hooks.yaml).

Prints one line per defect, ``path: CODE message``, paths relative to the working
directory (a folder-level defect is shown on the folder, ``clients/acme/``). Exit status
0: no error-severity defect; 1: at least one; 2: a folder could not be checked (no spec,
broken spec). Info-level findings are not printed: a commit is not the place for them.

Imports only click at module level: the work loads inside the command.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from validator.model import Defect, Location
    from validator.precommit import HookRun

EXIT_OK, EXIT_DEFECTS, EXIT_USAGE = 0, 1, 2

_WORDS = {
    "zh": {
        "warning": "警告",
        "summary": "validator：{errors} 个错误，{warnings} 个警告。运行 `validator explain 代码` 查看原因和修改方法。",
        "row": "第{row}行",
        "page": "第{page}页",
    },
    "en": {
        "warning": "warning",
        "summary": "validator: {errors} error(s), {warnings} warning(s). "
        "Run `validator explain CODE` to see why and how to fix.",
        "row": "row {row}",
        "page": "p.{page}",
    },
}


@click.command("hook", context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
@click.option(
    "--spec",
    "-s",
    "spec_ref",
    metavar="ID_OR_PATH",
    help="Spec for every folder. Default: the `spec` key of each folder's client.yaml.",
)
@click.option(
    "--root",
    "roots",
    multiple=True,
    metavar="PATTERN",
    help="Materials folders are the folders matching this pattern, e.g. 'clients/*' "
    "(repeatable). Default: the nearest folder holding a client.yaml.",
)
@click.option(
    "--cache/--no-cache",
    default=True,
    show_default=True,
    help="Reuse what is known about unchanged files (kept in the user cache directory, "
    "$VALIDATOR_CACHE_DIR or ~/.cache/validator; never in the materials).",
)
@click.option(
    "--lang",
    type=click.Choice(["zh", "en"]),
    default=None,
    help="Language of messages (default: from the locale, else zh).",
)
def command(
    files: tuple[str, ...], spec_ref: str | None, roots: tuple[str, ...], cache: bool, lang: str | None
) -> None:
    """Pre-commit hook: check the changed FILES and their materials folders. 提交前检查改动的材料。

    File-level checks run on the given files only; folder-level checks (missing documents,
    counts, duplicates, client values) on every folder they belong to. Files deleted or
    renamed away in the staged change are taken from git.
    """
    from validator.messages import default_lang
    from validator.precommit import run_hook

    run = run_hook(files, spec_ref, roots, use_cache=cache)
    lg = lang or default_lang()
    errors = print_run(run, lg)
    from validator.textsafe import safe

    for problem in run.problems:
        click.echo(safe(problem), err=True)
    sys.exit(EXIT_USAGE if run.problems else EXIT_DEFECTS if errors else EXIT_OK)


def print_run(run: HookRun, lang: str) -> int:
    """Print the defects; return how many are errors."""
    from validator.model import Severity

    errors = warnings = 0
    for check in run.checks:
        for d in check.result.defects:
            if d.severity is Severity.INFO:
                continue
            click.echo(line(check.folder, d, lang))
            errors += d.severity is Severity.ERROR
            warnings += d.severity is Severity.WARNING
    if errors or warnings:
        click.echo(_WORDS[lang]["summary"].format(errors=errors, warnings=warnings))
    return errors


def line(folder: str, d: Defect, lang: str) -> str:
    """`path: CODE [place] message`, the form flake8 and ruff users read at a glance."""
    from validator.messages import message
    from validator.model import Severity
    from validator.textsafe import safe

    if d.path:
        path = safe(f"{folder}/{d.path}" if folder else d.path)
    else:
        path = f"{safe(folder)}/" if folder else "./"
    words = _WORDS[lang]
    level = f"[{words['warning']}] " if d.severity is Severity.WARNING else ""
    return f"{path}: {d.code} {level}{place(d.location, lang)}{safe(message(d, lang))}"


def place(loc: Location | None, lang: str) -> str:
    if loc is None:
        return ""
    words = _WORDS[lang]
    from validator.textsafe import safe

    parts = [
        p
        for p in (
            safe(loc.sheet) if loc.sheet else None,
            loc.cell or (words["row"].format(row=loc.row) if loc.row else None),
            words["page"].format(page=loc.page) if loc.page else None,
        )
        if p
    ]
    return f"[{'!'.join(parts)}] " if parts else ""
