"""The `validator` command line. Imports only click and the standard library at the top:
everything else loads inside the command that needs it, so `--help` and the hook stay fast.

Exit status: 0 no error-severity defect, 1 at least one, 2 usage, spec or output error,
130 interrupted.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from os.path import isdir as os_path_isdir
from typing import TYPE_CHECKING, Any

import click

from validator.commands.options import file_timeout_option
from validator.formats import FORMATS  # the registry only: renderers import on use
from validator.portable import console_safe

if TYPE_CHECKING:
    from validator.model import Report
    from validator.spec.model import Spec

EXIT_OK, EXIT_DEFECTS, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
FORMAT_NAMES = tuple(FORMATS)
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _lang_option(f: Any) -> Any:
    return click.option("--lang", type=click.Choice(["zh", "en"]), default=None,
                        help="Language of messages (default: from the locale, else zh).")(f)


def parse_vars(pairs: Sequence[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"expected NAME=VALUE, got {pair!r}", param_hint="--var")
        out[name.strip()] = value
    return out


def parse_formats(values: Sequence[str], output: str | None) -> list[tuple[str, str | None]]:
    """`--format json` or `--format json=report.json`; `--output` applies to a lone format,
    or, given alone, names the format by its suffix (`-o out/x.html` writes HTML)."""
    from validator.output import SUFFIX_FORMATS, format_for_path

    chosen: list[tuple[str, str | None]] = []
    for v in values:
        name, sep, dest = v.partition("=")
        name = name.strip().lower()
        if name not in FORMATS:
            raise click.BadParameter(f"unknown format {name!r}; choose from {', '.join(FORMATS)}",
                                     param_hint="--format")
        if sep and not dest:
            raise click.BadParameter(f"{v!r} names no file after '='", param_hint="--format")
        chosen.append((name, dest if sep else None))
    if output:
        if not chosen:
            inferred = "text" if output == "-" else format_for_path(output)
            if inferred is None:
                suffixes = " ".join(SUFFIX_FORMATS)
                raise click.BadParameter(f"cannot tell the format of {output!r} from its suffix ({suffixes}); "
                                         "give --format", param_hint="--output")
            chosen.append((inferred, output))
        elif len(chosen) != 1 or chosen[0][1]:
            raise click.BadParameter("--output goes with exactly one --format without =FILE", param_hint="--output")
        else:
            chosen[0] = (chosen[0][0], output)
    from os.path import realpath

    files = [(realpath(d), d) for _, d in chosen if d and d != "-"]
    real = [r for r, _ in files]
    twice = [d for r, d in files if real.count(r) > 1]  # else the last format written silently wins
    if twice:
        raise click.BadParameter(f"{twice[-1]!r} is named by more than one --format (each format needs a file "
                                 "of its own)", param_hint="--format")
    return chosen or [("text", None)]


def check_destinations(chosen: Sequence[tuple[str, str | None]], protected: Sequence[str], lang: str) -> None:
    """Before any work: a destination that can never be written is an output error (exit 2)."""
    from validator.output import OutputError, check_destination, fail_exit

    errors = []
    for _, dest in chosen:
        if dest:
            try:
                check_destination(dest, protected, lang)
            except OutputError as exc:
                errors.append(str(exc))
    if errors:
        fail_exit(errors, EXIT_USAGE)


def _problem_note(problem: str | None, lang: str) -> str:
    """Why a folder's client.yaml gave no spec, in the reader's language (the defects a check would report)."""
    if not problem:
        return ""
    from validator.client_file import problem_defects
    from validator.messages import message
    from validator.model import Defect, Severity

    texts = [message(Defect(code, Severity.ERROR, "", params), lang) for code, params in problem_defects(problem)]
    return f" ({'; '.join(texts)})" if lang != "zh" else f"（{'；'.join(texts)}）"


def load_spec_or_exit(ref: str) -> Spec:
    from validator.spec import SpecError, load_spec

    try:
        return load_spec(ref)
    except SpecError as exc:
        from validator.textsafe import safe
        from validator.vocab import spec_text, words

        lang = current_lang()
        click.echo(click.style(words(lang)["spec_error"], fg="red", bold=True), err=True)
        for line in spec_text(str(exc), lang).splitlines():
            click.echo(f"  {safe(line)}", err=True)
        sys.exit(EXIT_USAGE)


_LOOK_ALIKE = str.maketrans({"O": "0", "I": "1", "L": "1", "Z": "2", "S": "5"})


def check_codes(keys: Sequence[str], option: str) -> tuple[str, ...]:
    """`--ignore`/`--warn` values: a known code or a code prefix (a letter, or letter+digits that
    start some code); anything else is a usage error with the nearest codes suggested."""
    if not keys:
        return tuple(keys)
    import difflib

    from validator.codes import CODES, lookup

    for key in keys:
        k = key.strip().upper()
        if lookup(key) is not None or (k and any(code.startswith(k) for code in CODES)):
            continue
        alike = k[:1] + k[1:].translate(_LOOK_ALIKE)  # X1O1 -> X101: a letter typed for a digit
        near = [alike] if alike in CODES else difflib.get_close_matches(k, list(CODES), n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(near)}?" if near else "; `validator rules` lists them all"
        raise click.BadParameter(f"unknown code {key!r}{hint}", param_hint=option)
    return tuple(keys)


def with_severity(spec: Spec, ignore: Sequence[str], warn: Sequence[str]) -> Spec:
    if not ignore and not warn:
        return spec
    import dataclasses

    from validator.codes import lookup

    severity = dict(spec.severity)
    for level, keys in (("ignore", ignore), ("warning", warn)):
        for key in keys:
            entry = lookup(key)
            severity[entry.code if entry else key.upper()] = level
    return dataclasses.replace(spec, severity=severity)


def emit_report(report: Report, formats: list[tuple[str, str | None]], protected: Sequence[str] = ()) -> list[str]:
    """Render and put each format; return the output errors (the others are still written)."""
    from validator.formats import renderer
    from validator.formats.text import render as render_text
    from validator.formats.text import want_color
    from validator.output import OutputError, put

    errors: list[str] = []
    for name, dest in formats:
        if name == "text" and dest in (None, "-"):
            body: str | bytes = render_text(report, color=want_color(sys.stdout))
        else:
            body = renderer(name)(report)
        try:
            put(dest, body, protected, report.lang)
        except OutputError as exc:
            errors.append(str(exc))
    return errors


def make_report(packages: list[Any], lang: str | None) -> Report:
    from validator import __version__
    from validator.lang import default_lang
    from validator.model import Report

    return Report(tuple(packages), lang=lang or default_lang(), tool_version=__version__)


def _argv_lang(argv: Sequence[str]) -> str:
    """--lang as given anywhere on the command line (before click has parsed it), else the locale."""
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv) and argv[i + 1] in ("zh", "en"):
            return argv[i + 1]
        if arg in ("--lang=zh", "--lang=en"):
            return arg[7:]
    from validator.lang import default_lang

    return default_lang()


def current_lang() -> str:
    """The running command's --lang, else the locale's language."""
    ctx = click.get_current_context(silent=True)
    lang = ctx.params.get("lang") if ctx is not None else None
    if lang in ("zh", "en"):
        return str(lang)
    return _argv_lang(sys.argv[1:])


LAZY_COMMANDS: dict[str, tuple[str, str]] = {}


class Main(click.Group):
    """Exit codes the same in every command: 2 for a usage error (in the reader's language),
    130 when interrupted (Ctrl-C), never click's "Aborted!" with exit 1 ("defects found").
    Commands in LAZY_COMMANDS are imported only when used, so `--help` stays fast."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in LAZY_COMMANDS and cmd_name not in self.commands:
            import importlib

            self.add_command(importlib.import_module(LAZY_COMMANDS[cmd_name][0]).command, cmd_name)
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(map(len, names))  # as click.Group.format_commands
        rows = []
        for name in names:
            if name in LAZY_COMMANDS and name not in self.commands:
                rows.append((name, click.Command(name, help=LAZY_COMMANDS[name][1]).get_short_help_str(limit)))
                continue
            cmd = self.get_command(ctx, name)
            if cmd is not None and not cmd.hidden:
                rows.append((name, cmd.get_short_help_str(limit)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True, **extra: Any) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        argv = list(sys.argv[1:] if args is None else args)
        lang = _argv_lang(argv)
        console_safe()  # a GBK or ASCII console must not turn a report into a traceback
        try:
            rv = super().main(argv, prog_name, complete_var, standalone_mode=False, **extra)
        except click.ClickException as exc:
            import io

            from validator.vocab import click_zh

            buf = io.StringIO()
            exc.show(file=buf)
            text = buf.getvalue()
            click.echo(click_zh(text) if lang == "zh" else text, err=True, nl=False)
            sys.exit(exc.exit_code)
        except (click.exceptions.Abort, KeyboardInterrupt):
            from validator.vocab import words

            click.echo(words(lang)["interrupted"], err=True)
            sys.exit(EXIT_INTERRUPTED)
        sys.exit(rv if isinstance(rv, int) else EXIT_OK)


@click.group(cls=Main, context_settings=CONTEXT)
@click.version_option(package_name="submission-validator", prog_name="validator")
def main() -> None:
    """检查许可证年报/年检材料文件夹，提交前列出全部问题。

    Check a folder of licence materials against a spec and list every defect before upload.

    \b
    Examples:
      validator check 材料/ --spec call-center
      validator check 材料/ --spec call-center --var company=北京示例科技有限公司 --format json
      validator explain D101
    """


@main.command(context_settings=CONTEXT)
@click.argument("folders", nargs=-1, required=True,
                type=click.Path(exists=True, file_okay=True, dir_okay=True))
@click.option("--spec", "-s", "spec_ref", metavar="ID_OR_PATH",
              help="Built-in spec id (see `validator specs list`) or a spec file. "
                   "Default: the `spec` key of the folder's client.yaml.")
@click.option("--var", "variables", multiple=True, metavar="NAME=VALUE",
              help="A client value, overriding client.yaml (repeatable).")
@click.option("--format", "-f", "formats", multiple=True, metavar="FORMAT[=FILE]",
              help=f"Output format: {', '.join(FORMAT_NAMES)} (repeatable; FORMAT=FILE writes to a file).")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the (single) format to this file.")
@click.option("--ignore", multiple=True, metavar="CODE", help="Do not report this code or code prefix (repeatable).")
@click.option("--warn", multiple=True, metavar="CODE", help="Report this code or prefix as a warning (repeatable).")
@click.option("--cache/--no-cache", default=False, show_default=True,
              help="Reuse results of unchanged files (kept in the user cache directory, never in the folder).")
@click.option("--waivers", type=click.Path(exists=True, dir_okay=False), metavar="FILE",
              help="Waivers (accepted defects) from FILE instead of each folder's own waivers.yaml.")
@file_timeout_option
@_lang_option
def check(folders: tuple[str, ...], spec_ref: str | None, variables: tuple[str, ...], formats: tuple[str, ...],
          output: str | None, ignore: tuple[str, ...], warn: tuple[str, ...], cache: bool, waivers: str | None,
          file_timeout: float, lang: str | None) -> None:
    """Check materials FOLDER(s) - or zip files of them - against a spec. 检查材料文件夹或压缩包。

    A zip is checked as the folder it stands for, without unpacking it to disk
    (client.yaml inside it holds the client's values).

    \b
    Examples:
      validator check 材料/ --spec call-center
      validator check 材料.zip --spec call-center -o 报告.html

    A waivers.yaml in the folder (or --waivers FILE) accepts listed defects on purpose: they
    stay in the report, marked waived, and do not count. 豁免的问题仍列出，但不计入结果。

    Exit status 0: no errors; 1: errors found; 2: usage or spec error.
    """
    from validator.packsource import is_zip_package

    for folder in folders:
        if not os_path_isdir(folder) and not is_zip_package(folder):
            raise click.BadParameter(f"{folder!r} is neither a folder nor a zip file", param_hint="FOLDERS")
    overrides = parse_vars(variables)
    chosen = parse_formats(formats, output)
    ignore, warn = check_codes(ignore, "--ignore"), check_codes(warn, "--warn")
    from validator.lang import default_lang

    check_destinations(chosen, folders, lang or default_lang())
    from validator.api import check_folder
    from validator.client_file import client_spec
    from validator.file_progress import FileProgress

    progress = FileProgress.for_terminal(lang or default_lang())
    if file_timeout is not None and not cache:  # the parse worker loads its readers while the spec loads
        from validator.checks.content import start_worker_for

        start_worker_for(folders[0])
    packages = []
    specs: dict[str, Spec] = {}
    for folder in folders:
        ref, problem = (spec_ref, None) if spec_ref else client_spec(folder)
        if not ref:
            raise click.UsageError(f"no --spec given and {folder}/client.yaml names no spec"
                                   f"{_problem_note(problem, lang or default_lang())}")
        if ref not in specs:
            specs[ref] = with_severity(load_spec_or_exit(ref), ignore, warn)
        if progress is not None:
            progress.folder_started(folder)
        packages.append(check_folder(folder, specs[ref], overrides, cache=cache, file_timeout=file_timeout,
                                     on_file=progress, waivers=waivers))
    if progress is not None:
        progress.close()
    report = make_report(packages, lang)
    errors = emit_report(report, chosen, folders)
    if errors:
        from validator.output import fail_exit

        fail_exit(errors, EXIT_USAGE)
    sys.exit(EXIT_OK if report.ok else EXIT_DEFECTS)


@main.command(context_settings=CONTEXT)
@click.argument("code")
@_lang_option
def explain(code: str, lang: str | None) -> None:
    """Explain a defect CODE (or its name): meaning, why it matters, how to fix. 解释问题代码。"""
    from validator.codes import lookup
    from validator.explain import explain_text
    from validator.lang import default_lang

    entry = lookup(code)
    if entry is None:
        raise click.BadParameter(f"unknown code {code!r}; `validator rules` lists them all", param_hint="CODE")
    click.echo(explain_text(entry, lang or default_lang()), nl=False)


@main.command(context_settings=CONTEXT)
@click.option("--format", "-f", "fmt", type=click.Choice(["text", "json"]), default="text")
@_lang_option
def rules(fmt: str, lang: str | None) -> None:
    """List every defect code. 列出全部问题代码。"""
    import json

    from validator.codes import CODES
    from validator.messages import default_lang, text

    lg = lang or default_lang()
    if fmt == "json":
        rows = [{"code": c.code, "name": c.name, "severity": c.severity.value,
                 "title": {"zh": c.title[0], "en": c.title[1]}, "message": {"zh": c.message[0], "en": c.message[1]},
                 "fix": {"zh": c.fix[0], "en": c.fix[1]}, "why": {"zh": c.why[0], "en": c.why[1]},
                 "example": c.example, "retired": c.retired} for c in CODES.values()]
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    from validator.vocab import severity_word

    for c in CODES.values():
        level = severity_word(c.severity.value, lg)
        click.echo(f"{c.code}  {level:<{4 if lg == 'zh' else 7}}  {c.name:<22}  {text(c.title, lg)}")


@main.group(context_settings=CONTEXT)
def specs() -> None:
    """Built-in and user specs: list, show, check, schema. 规范管理。"""


@specs.command("list")
@_lang_option
def specs_list(lang: str | None) -> None:
    """List built-in specs (id, licence, version, title)."""
    from validator.spec import SpecError, builtin_ids, load_spec
    from validator.vocab import spec_text, words

    for spec_id in builtin_ids():
        try:
            s = load_spec(spec_id)
            click.echo(f"{s.id:<18} {s.licence or '-':<10} {s.version or '-':<8} {s.title}")
        except SpecError as exc:
            lang = lang or current_lang()
            problem = spec_text(exc.problems[0][1], lang)
            click.echo(f"{spec_id:<18} " + words(lang)["spec_broken"].format(problem=problem))


@specs.command("show")
@click.argument("ref")
def specs_show(ref: str) -> None:
    """Print the fully resolved spec REF (after `extends`) as YAML."""
    import yaml

    from validator.spec_cache import plain
    from validator.textsafe import safe

    spec = load_spec_or_exit(ref)
    text = yaml.safe_dump(plain(spec.raw), allow_unicode=True, sort_keys=False)
    for line in text.splitlines():  # PyYAML leaves bidi and zero-width characters raw: escaped
        click.echo(safe(line))


@specs.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@_lang_option
def specs_check(files: tuple[str, ...], lang: str | None) -> None:
    """Validate spec FILE(s); problems are printed as file:line:col."""
    from validator.spec import SpecError, load_spec
    from validator.textsafe import safe
    from validator.vocab import spec_text, words

    lang = lang or current_lang()
    bad = 0
    for f in files:
        try:
            s = load_spec(f if f.endswith((".yaml", ".yml")) or "/" in f else f"./{f}")
            click.echo(safe(words(lang)["spec_ok"].format(file=f, id=s.id, documents=len(s.documents))))
            from validator.spec.yamlmarks import format_problem
            from validator.userregex import bounded_patterns

            for mark, message in bounded_patterns(s.raw):
                click.echo(safe(spec_text(format_problem(mark, "warning: " + message), lang)), err=True)
        except SpecError as exc:
            bad += 1
            # the problems quote the spec's own text (ids, keys): escaped, as the check's spec errors are
            for line in spec_text(str(exc), lang).splitlines():
                click.echo(safe(line), err=True)
    sys.exit(EXIT_USAGE if bad else EXIT_OK)


@specs.command("schema")
def specs_schema() -> None:
    """Print the JSON Schema of the spec format (for editors)."""
    import json

    from validator.spec.schema import json_schema

    click.echo(json.dumps(json_schema(), ensure_ascii=False, indent=2))


# Commands that live in their own modules, imported only when run (or when their own help is
# asked for): name -> (module with `command`, the short help `validator --help` lists).
LAZY_COMMANDS.update({
    "batch": ("validator.commands.batch", "Check every client folder under ROOT; print who is ready to submit."),
    "hook": ("validator.commands.hook", "Pre-commit hook: check the changed FILES and their materials folders."),
    "risk": ("validator.commands.risk", "Write the self-check risk assessment for FOLDER."),
    "fix": ("validator.commands.fix", "Rename files to fix the check's name defects."),
    "init": ("validator.commands.init", "Draft a spec from a known-good FOLDER."),
    "serve": ("validator.commands.serve", "Open a local web page to check folders or zip files."),
})


if __name__ == "__main__":  # pragma: no cover
    main()
