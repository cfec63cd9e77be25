"""`validator risk FOLDER`: the self-check risk assessment report (风险评估报告).

Checks the folder like `validator check`, then fills the five sections of the inspection
guide from the client's values and the defects found; what the tool cannot judge is left
as 待人工填写. Imports only click at module level.
"""

from __future__ import annotations

import sys

import click

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
FORMATS = ("html", "markdown")


def _format_for(fmt: str | None, output: str | None) -> str:
    """--format wins; otherwise the --output suffix (.html/.htm -> html, .md -> markdown);
    Markdown on stdout. Another suffix without --format is a usage error."""
    if fmt:
        return fmt
    if not output or output == "-":
        return "markdown"
    from validator.output import format_for_path

    inferred = format_for_path(output)
    if inferred not in FORMATS:
        raise click.BadParameter(
            f"cannot tell the format of {output!r} from its suffix (.html .htm .md); give --format",
            param_hint="--output",
        )
    return inferred


@click.command("risk", context_settings=CONTEXT)
@click.argument("folder", type=click.Path(exists=True, file_okay=False, dir_okay=True))
@click.option(
    "--spec",
    "-s",
    "spec_ref",
    metavar="ID_OR_PATH",
    help="Built-in spec id or a spec file. Default: the `spec` key of the folder's client.yaml.",
)
@click.option(
    "--var",
    "variables",
    multiple=True,
    metavar="NAME=VALUE",
    help="A client value, overriding client.yaml (repeatable).",
)
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(FORMATS),
    default=None,
    help="html or markdown (default: from the --output suffix, else markdown).",
)
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the report to this file.")
@click.option(
    "--lang",
    type=click.Choice(["zh", "en"]),
    default=None,
    help="Language of the report (default: from the locale, else zh).",
)
def command(
    folder: str, spec_ref: str | None, variables: tuple[str, ...], fmt: str | None, output: str | None, lang: str | None
) -> None:
    """Write the self-check risk assessment for FOLDER. 生成风险评估报告（自查）。

    \b
    Sections: 企业基本信息; 业务合规性自查; 数据安全与隐私保护; 客户服务满意度调查; 总结与改进建议.
    Exit status 0: report written (whatever it found); 2: usage or spec error.
    """
    from validator.cli import check_destinations, load_spec_or_exit, parse_vars
    from validator.messages import default_lang

    overrides = parse_vars(variables)
    lg = lang or default_lang()
    chosen = _format_for(fmt, output)
    check_destinations([(chosen, output)], (folder,), lg)
    from validator.api import check_folder, client_spec_ref
    from validator.risk.assess import assess
    from validator.risk.render import render_html, render_markdown
    from validator.risk.roster import roster_facts

    ref = spec_ref or client_spec_ref(folder)
    if not ref:
        raise click.UsageError(f"no --spec given and {folder}/client.yaml names no spec")
    spec = load_spec_or_exit(ref)
    package = check_folder(folder, spec, overrides)
    assessment = assess(
        package, lg, spec_title=spec.title, licence=spec.licence or "", roster=roster_facts(package, spec)
    )
    body = render_html(assessment) if chosen == "html" else render_markdown(assessment)
    from validator.output import OutputError, fail_exit, put

    try:
        put(output, body, (folder,), lg)
    except OutputError as exc:
        fail_exit([str(exc)], 2)
    sys.exit(0)
