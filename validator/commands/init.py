"""`validator init GOOD_FOLDER`: draft a spec from a known-good materials folder (or its zip).

Imports only click at module level; the drafting code loads when the command runs.
"""

from __future__ import annotations

import os
import sys

import click

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.command("init", context_settings=CONTEXT)
@click.argument("folder", type=click.Path(exists=True, file_okay=True, dir_okay=True))
@click.option("--output", "-o", type=click.Path(dir_okay=False),
              help="Write the draft to this file (never inside FOLDER). Default: standard output.")
@click.option("--extends", "extends", metavar="ID_OR_PATH",
              help="Build on this spec: only documents it lacks, or that the folder contradicts, are drafted.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
              help="Language of the comments in the draft.")
def command(folder: str, output: str | None, extends: str | None, lang: str) -> None:
    """Draft a spec from a known-good FOLDER. 根据合格的样板文件夹起草规范。

    FOLDER may be a zipped pack, read in place as `validator check` reads it.
    One document per file, or per family of files sharing a number (13_截图_01.jpg …
    13_截图_12.jpg: one document with a count); the client's values from client.yaml
    (company, uscc, year …) become {company}, {uscc}, {year} in the name patterns; types from
    the content; size limits and page ranges with a margin; sheet layouts with column types
    inferred from the cells. Every guess carries a YAML comment saying why. The draft is then
    checked against FOLDER (a naming rule the folder breaks is relaxed); what still fails is
    listed at the top of the draft.

    \b
    Examples:
      validator init 样板材料/ -o my-spec.yaml
      validator init 样板材料/ --extends call-center -o 本省呼叫中心.yaml
      validator init 样板材料/ --lang en > draft.yaml
      validator init 样板材料.zip -o my-spec.yaml             # a zipped pack, read in place
      validator check 样板材料/ --spec my-spec.yaml        # the round trip: clean

    Exit status 0: draft written and FOLDER checks clean against it; 1: draft written, but
    FOLDER still has errors against it (listed in the draft); 2: usage, spec or output error.
    """
    from validator.cli import check_destinations, load_spec_or_exit
    from validator.packsource import is_zip_package

    if not os.path.isdir(folder) and not is_zip_package(folder):
        raise click.BadParameter(f"{folder!r} is neither a folder nor a zip file", param_hint="FOLDER")
    check_destinations([("yaml", output)], (folder,), lang)
    extends_as = None
    if extends:
        load_spec_or_exit(extends)  # a bad base is a spec error (exit 2) before any work
        extends_as = _relative_base(extends, output)
    from validator.drafting import draft_spec
    from validator.model import Severity

    draft = draft_spec(folder, base_ref=extends, extends_as=extends_as, lang=lang)
    from validator.output import OutputError, fail_exit, put

    try:
        put(output, draft.text, (folder,), lang)
    except OutputError as exc:
        fail_exit([str(exc)], 2)
    errors = [d for d in draft.remaining if d.severity is Severity.ERROR]
    if errors:
        from validator.textsafe import safe

        head = (f"样板文件夹用此草稿检查仍有 {len(errors)} 个错误：" if lang == "zh"
                else f"the folder still has {len(errors)} errors against the draft:")
        click.echo(head, err=True)
        for d in errors[:10]:
            click.echo(f"  {d.code} {safe(d.path or '.')}", err=True)
    sys.exit(1 if errors else 0)


def _relative_base(ref: str, output: str | None) -> str:
    """How the draft names a base given as a path: relative to where the draft is written
    (the loader resolves `extends:` against the spec file's folder)."""
    from validator.client_file import is_spec_path

    if not is_spec_path(ref):
        return ref
    where = os.path.dirname(os.path.abspath(output)) if output and output != "-" else os.getcwd()
    try:
        return os.path.relpath(os.path.abspath(ref), where)
    except ValueError:  # another drive (Windows)
        return os.path.abspath(ref)
