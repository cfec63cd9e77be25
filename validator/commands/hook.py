"""`validator hook FILE...`: what pre-commit runs (see .pre-commit-hooks.yaml).

Prints one line per defect, ``path: CODE message``, paths relative to the working
directory (a folder-level defect is shown on the folder, ``clients/acme/``). Exit status
0: no error-severity defect; 1: at least one; 2: a folder could not be checked (no spec,
broken spec). Info-level findings are not printed: a commit is not the place for them.

Imports only click at module level: the work loads inside the command.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

import click

from validator.commands.options import file_timeout_option

if TYPE_CHECKING:
    from validator.model import Defect, Location
    from validator.precommit import HookRun

EXIT_OK, EXIT_DEFECTS, EXIT_USAGE = 0, 1, 2



def _words(lang: str) -> dict[str, str]:
    from validator.vocab import HOOK_WORDS

    return HOOK_WORDS[lang if lang in HOOK_WORDS else "en"]


class HookCommand(click.Command):
    """Options only before the file list, and never a file posing as an option.

    pre-commit runs ``validator hook ARGS FILE...`` with no ``--`` between them, so a staged
    file named ``--help`` or ``--spec=lax.yaml`` would be read as an option (printing help and
    passing the commit, or swapping the spec). Parsing stops at the first file or at ``--``
    (no interspersed options), and an option-looking argument before that point which names
    an existing path is refused: the gate fails closed, exit 2, with the name shown.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        valued = {o for p in self.params if isinstance(p, click.Option) and not p.is_flag for o in p.opts}
        i = 0
        while i < len(args):
            arg = args[i]
            if arg == "--" or not arg.startswith("-") or arg == "-":
                break
            if os.path.lexists(arg):
                from validator.textsafe import safe

                click.echo(_words(_lang_of(args))["dash_file"].format(name=safe(arg)), err=True)
                ctx.exit(EXIT_USAGE)
            i += 2 if arg in valued else 1
        return super().parse_args(ctx, args)


def _lang_of(args: list[str]) -> str:
    from validator.lang import default_lang

    for i, arg in enumerate(args[:-1]):
        if arg == "--lang" and args[i + 1] in ("zh", "en"):
            return args[i + 1]
    return default_lang()


@click.command(
    "hook",
    cls=HookCommand,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100,
                      "allow_interspersed_args": False},
)
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
@click.option("--waivers", type=click.Path(exists=True, dir_okay=False), metavar="FILE",
              help="Waivers from FILE instead of each folder's own waivers.yaml.")
@file_timeout_option
def command(
    files: tuple[str, ...], spec_ref: str | None, roots: tuple[str, ...], cache: bool, lang: str | None,
    waivers: str | None, file_timeout: float,
) -> None:
    """Pre-commit hook: check the changed FILES and their materials folders. 提交前检查改动的材料。

    File-level checks run on the given files only; folder-level checks (missing documents,
    counts, duplicates, client values) on every folder they belong to. Files deleted or
    renamed away in the staged change are taken from git.
    """
    from validator.lang import default_lang
    from validator.precommit import run_hook

    run = run_hook(files, spec_ref, roots, use_cache=cache, file_timeout=file_timeout,
                   waivers=os.path.abspath(waivers) if waivers else None)
    lg = lang or default_lang()
    errors = print_run(run, lg)
    from validator.textsafe import safe
    from validator.vocab import hook_problem

    for problem in run.problems:
        for text in hook_problem(problem, lg).splitlines():
            click.echo(safe(text), err=True)
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
            if d.waiver is None:  # a waived defect is shown (with its waiver) and does not count
                errors += d.severity is Severity.ERROR
                warnings += d.severity is Severity.WARNING
    if errors or warnings:
        click.echo(_words(lang)["summary"].format(errors=errors, warnings=warnings))
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
    words = _words(lang)
    level = f"[{words['warning']}] " if d.severity is Severity.WARNING else ""
    return f"{path}: {d.code} {level}{place(d.location, lang)}{safe(message(d, lang))}"


def place(loc: Location | None, lang: str) -> str:
    if loc is None:
        return ""
    words = _words(lang)
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
