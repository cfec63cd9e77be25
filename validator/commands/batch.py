"""`validator batch ROOT`: check every client folder under ROOT and print the roll-up.

Imports only click at module level; the run loads what it needs when it starts.
"""

from __future__ import annotations

import sys

import click

from validator.commands.options import file_timeout_option

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.command("batch", context_settings=CONTEXT)
@click.argument("root", type=click.Path(exists=True, file_okay=False, dir_okay=True))
@click.option(
    "--spec",
    "-s",
    "spec_refs",
    multiple=True,
    metavar="ID_OR_PATH",
    help="Spec for clients whose client.yaml and registry row name none (repeat for a union).",
)
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="Worker processes (default: all cores).")
@click.option(
    "--executor",
    type=click.Choice(["serial", "process", "dask"]),
    default=None,
    help="serial, process (default) or dask (a LocalCluster, or --scheduler).",
)
@click.option(
    "--scheduler", metavar="ADDRESS", help="Dask scheduler, e.g. tcp://10.0.0.5:8786 (implies --executor dask)."
)
@click.option(
    "--format",
    "-f",
    "formats",
    multiple=True,
    metavar="FORMAT[=FILE]",
    help="text (the roll-up), json, or any report format (html, xlsx …); FORMAT=FILE writes a file.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False),
    help="Write the (single) format to this file; alone, the format comes from the suffix (.json, .html …).",
)
@click.option(
    "--since",
    "since_path",
    type=click.Path(exists=True, dir_okay=False),
    metavar="PREVIOUS.json",
    help="Mark each defect new / still open and list the fixed ones, against an earlier JSON report.",
)
@click.option("--ignore", multiple=True, metavar="CODE", help="Do not report this code (repeatable).")
@click.option("--warn", multiple=True, metavar="CODE", help="Report this code as a warning (repeatable).")
@click.option(
    "--leak-pdf-pages",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="PDF pages read for other clients' names and credit codes (0: none).",
)
@click.option(
    "--lang",
    type=click.Choice(["zh", "en"]),
    default=None,
    help="Language of messages (default: from the locale, else zh).",
)
@click.option(
    "--cache/--no-cache",
    default=False,
    show_default=True,
    help="Reuse what is known about unchanged files (per client folder, in the user cache directory; "
    "never in the materials): a weekly re-run pays only for what changed.",
)
@click.option("--waivers", type=click.Path(exists=True, dir_okay=False), metavar="FILE",
              help="Waivers for every client from FILE (an entry's `folder:` glob limits it to some clients) "
                   "instead of each folder's own waivers.yaml.")
@click.option("--quiet", "-q", is_flag=True, help="No progress output.")
@file_timeout_option
def command(
    root: str,
    spec_refs: tuple[str, ...],
    jobs: int | None,
    executor: str | None,
    scheduler: str | None,
    formats: tuple[str, ...],
    output: str | None,
    since_path: str | None,
    ignore: tuple[str, ...],
    warn: tuple[str, ...],
    leak_pdf_pages: int,
    lang: str | None,
    cache: bool,
    waivers: str | None,
    quiet: bool,
    file_timeout: float,
) -> None:
    """Check every client folder under ROOT; print who is ready to submit. 批量检查客户材料。

    \b
    Each folder directly under ROOT is one client. Its client.yaml (or a row of
    ROOT/clients.xlsx or ROOT/clients.csv) gives the company, credit code, licence number
    and the spec(s): `spec: call-center`, or `specs: [call-center, icp]` for a client
    holding several licences.

    \b
    Examples:
      validator batch 客户材料/
      validator batch 客户材料/ -f json=report.json -f html=report.html
      validator batch 客户材料/ --since last-week.json
      validator batch /mnt/share/clients --executor dask --scheduler tcp://10.0.0.5:8786

    Exit status 0: every client ready; 1: some client has errors; 2: usage error.
    """
    from validator.cli import (
        EXIT_DEFECTS,
        EXIT_OK,
        EXIT_USAGE,
        check_codes,
        check_destinations,
        load_spec_or_exit,
        parse_formats,
    )
    from validator.messages import default_lang

    lg = lang or default_lang()
    chosen = parse_formats(formats, output)
    if all(dest not in (None, "-") for _, dest in chosen):
        chosen.insert(0, ("text", None))  # files only: the roll-up table still shows on the terminal
    ignore, warn = check_codes(ignore, "--ignore"), check_codes(warn, "--warn")
    if scheduler and executor not in (None, "dask"):
        raise click.BadParameter("--scheduler goes with --executor dask", param_hint="--scheduler")
    executor = "dask" if scheduler else (executor or "process")
    if executor == "dask":
        _require_dask()
    for ref in spec_refs:
        load_spec_or_exit(ref)  # a broken --spec is a usage error, before any work
    from validator.batch.clients import resolve_spec_ref

    _check_root(root)
    check_destinations(chosen, (root,), lg)
    from validator.batch.progress import Progress
    from validator.batch.rollup import Baseline, BaselineError
    from validator.batch.runner import BatchOptions, run_batch
    from validator.run.dask_cluster import SchedulerUnreachable

    baseline = None
    if since_path:
        try:
            baseline = Baseline.load(since_path)
        except BaselineError as exc:
            from validator.textsafe import safe
            from validator.vocab import spec_text

            click.echo(f"--since: {safe(spec_text(str(exc), lg))}", err=True)
            sys.exit(EXIT_USAGE)
    options = BatchOptions(
        root=root,
        default_specs=tuple(resolve_spec_ref(r, ".") for r in spec_refs),
        executor=executor,
        jobs=jobs,
        scheduler=scheduler,
        severity=_severity(ignore, warn),
        leak_pdf_pages=leak_pdf_pages,
        lang=lg,
        since=baseline,
        cache=cache,
        file_timeout=file_timeout,
        waivers=_absolute(waivers),
    )
    progress = Progress.for_stream(quiet, lang=lg)
    try:
        outcome = run_batch(options, on_start=progress.started, on_result=progress.advance)
    except SchedulerUnreachable as exc:
        progress.close()
        from validator.textsafe import safe
        from validator.vocab import SCHEDULER_UNREACHABLE

        click.echo(SCHEDULER_UNREACHABLE[lg].format(address=safe(exc.address), detail=safe(exc.detail)), err=True)
        sys.exit(EXIT_USAGE)
    except KeyboardInterrupt:
        progress.close()
        # A partial batch must never look complete: no report is written, and the count says so.
        from validator.vocab import BATCH_INTERRUPTED

        click.echo(BATCH_INTERRUPTED[lg].format(done=progress.done, total=progress.total), err=True)
        sys.exit(EXIT_INTERRUPTED)
    progress.close()
    try:
        errors = _emit(outcome, chosen, (root,), lg)
    finally:
        outcome.spill.close()
    if errors:
        from validator.output import fail_exit

        fail_exit(errors, EXIT_USAGE)
    sys.exit(EXIT_OK if outcome.ok else EXIT_DEFECTS)


EXIT_INTERRUPTED = 130


def _absolute(path: str | None) -> str | None:
    """A path that still names the same file in a worker process (or on a Dask worker)."""
    import os

    return os.path.abspath(path) if path else None


def _check_root(root: str) -> None:
    """A client's own folder, or a folder without client folders, is not a batch root."""
    import os

    from validator.batch.clients import REGISTRY_NAMES, client_folders
    from validator.discovery import CLIENT_FILE

    if os.path.isfile(os.path.join(root, CLIENT_FILE)):
        raise click.UsageError(
            f"{root} has a {CLIENT_FILE}: it is one client's folder. Check it with `validator check {root}`, "
            "or give batch the folder that holds the client folders."
        )
    if not client_folders(root) and not any(os.path.isfile(os.path.join(root, n)) for n in REGISTRY_NAMES):
        raise click.UsageError(f"no client folders under {root} (each client is a folder directly under it)")


def _require_dask() -> None:
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise click.UsageError("--executor dask needs Dask: pip install 'submission-validator[dask]'") from None


def _severity(ignore: tuple[str, ...], warn: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    from validator.codes import lookup

    out: dict[str, str] = {}
    for level, keys in (("ignore", ignore), ("warning", warn)):
        for key in keys:
            entry = lookup(key)
            out[entry.code if entry else key.upper()] = level
    return tuple(out.items())


def _emit(outcome: object, chosen: list[tuple[str, str | None]], protected: tuple[str, ...], lang: str) -> list[str]:
    """Write every format; one that fails does not stop the others. Return the output errors."""
    from validator.batch.runner import BatchOutcome
    from validator.output import OutputError, opened_text, put

    assert isinstance(outcome, BatchOutcome)
    errors: list[str] = []
    for name, dest in chosen:
        try:
            if name == "text":
                from validator.batch.text_report import render_rollup
                from validator.formats.text import want_color

                color = dest in (None, "-") and want_color(sys.stdout)
                put(dest, render_rollup(outcome, color=color), protected, lang)
            elif name == "json":
                from validator.batch.json_report import write_json

                with opened_text(dest, protected, lang) as f:
                    write_json(outcome, f)
            else:
                put(dest, _render_other(outcome, name), protected, lang)
        except OutputError as exc:
            errors.append(str(exc))
    return errors


def _render_other(outcome: object, name: str) -> str | bytes:
    """Formats written for single reports (html, xlsx …) get a Report whose packages load lazily."""
    from typing import cast

    from validator import __version__
    from validator.batch.runner import BatchOutcome, SpilledPackages
    from validator.formats import renderer
    from validator.model import PackageResult, Report

    assert isinstance(outcome, BatchOutcome)
    packages = cast(tuple[PackageResult, ...], SpilledPackages(outcome.spill))
    report = Report(packages, lang=outcome.options.lang, tool_version=__version__)
    return renderer(name)(report)
